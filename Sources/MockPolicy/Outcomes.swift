/// Header edits of an allow or respond outcome, applied in this order: remove, set, add.
struct HeaderChanges: Sendable {
    /// Lower-cased names; every line of each is dropped.
    var remove: [String] = []
    /// Each replaces every line of its name (case-insensitively) with these values, at the position of the
    /// first existing line, or at the end.
    var set: [(name: String, values: [Template])] = []
    /// Appended lines.
    var add: [(name: String, values: [Template])] = []

    var isEmpty: Bool { self.remove.isEmpty && self.set.isEmpty && self.add.isEmpty }
}

/// How a rule changes a body.
enum BodyChange: Sendable {
    /// A whole new body.
    case replace(BodyTemplate)
    /// JSON edits: `remove` first, then `set`, in the order written. A body that is not JSON is left
    /// unchanged; an empty one starts as `{}`.
    case edit(set: [(path: JSONPath, value: ValueTemplate)], remove: [JSONPath])
}

/// How a rule changes the query string.
enum QueryChange: Sendable {
    /// A whole new query string, written as rendered (no encoding); `""` removes the query.
    case replace(Template)
    /// Parameter edits (see `QueryString.rewrite`); set values are percent-encoded.
    case edit(set: [(name: String, value: Template)], remove: [String])
}

/// `allow:` of a request rule. All fields empty: the request is echoed unchanged.
struct AllowChanges: Sendable {
    var headers = HeaderChanges()
    var method: Template?
    var path: Template?
    var query: QueryChange?
    var body: BodyChange?

    var isEmpty: Bool {
        self.headers.isEmpty && self.method == nil && self.path == nil && self.query == nil && self.body == nil
    }
}

/// `deny:` in either phase: what the client gets instead.
struct DenyOutcome: Sendable {
    /// Default 403.
    var status: Int
    /// Written in this order; `Content-Type` is added when not given (see `MockRules` README).
    var headers: [(name: String, value: Template)]
    /// nil: PingAuthorize's default error body, `{"errorMessage":"Access Denied","status":403}`.
    var body: BodyTemplate?
}

/// `respond:` of a response rule: changes to the upstream response.
struct RespondChanges: Sendable {
    var status: Int?
    var headers = HeaderChanges()
    var body: BodyChange?
}

enum RequestOutcome: Sendable {
    case allow(AllowChanges)
    case deny(DenyOutcome)
}

enum ResponseOutcome: Sendable {
    case pass
    case respond(RespondChanges)
    case deny(DenyOutcome)
}

/// One entry of `request_rules:` (or the request default, named `default`, which matches everything).
struct RequestRule: Sendable {
    var name: String
    var matcher: RequestMatcher
    var outcome: RequestOutcome
    var latencyMs: Int?
    var fault: MockFault?
}

/// One entry of `response_rules:` (or the response default).
struct ResponseRule: Sendable {
    var name: String
    var matcher: ResponseMatcher
    var outcome: ResponseOutcome
    var latencyMs: Int?
    var fault: MockFault?
}
