/// Why a policy provider's answer cannot be used. The gateway fails closed on any of these (502, empty
/// body; SIDEBAND.md §6 "answer is not JSON, or lacks what a decision needs").
///
/// A struct over a private enum so that new reasons break no caller. Equality and hashing look at the
/// reason and its field name only, not at `detail` (a byte offset or the offending text, for logs), so
/// tests and callers can compare with the static members.
public struct SidebandAnswerError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case notJSON
        case tooDeep
        case notAnObject
        case missingField(String)
        case wrongType(String)
        case invalidStatus(String)
        case invalidHeader(String)
        case invalidMethod
        case invalidURL
    }

    private let kind: Kind
    /// Extra context for logs (where the JSON broke, the rejected value); bounded, never part of equality.
    public let detail: String?

    private init(_ kind: Kind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail.map { Self.bounded($0) }
    }

    /// The body is not RFC 8259 JSON text (syntax error, invalid UTF-8, trailing garbage, empty).
    public static let notJSON = SidebandAnswerError(.notJSON)
    /// Arrays and objects nest deeper than `JSONParser.maximumDepth`.
    public static let tooDeep = SidebandAnswerError(.tooDeep)
    /// The answer (or its `response` member) is JSON but not an object.
    public static let notAnObject = SidebandAnswerError(.notAnObject)
    /// A required member is absent, e.g. `response_code`. `name` is the path, `response.response_code`.
    public static func missingField(_ name: String) -> SidebandAnswerError { .init(.missingField(name)) }
    /// A member has a JSON type we cannot use, e.g. a number where a string is needed.
    public static func wrongType(_ field: String) -> SidebandAnswerError { .init(.wrongType(field)) }
    /// `response_code` is not an integer in 100...599 (as a number or a string of digits).
    public static func invalidStatus(_ field: String) -> SidebandAnswerError { .init(.invalidStatus(field)) }
    /// A header name that is not an HTTP token, or a value containing CR, LF or NUL: never written on the
    /// wire (response splitting).
    public static func invalidHeader(_ field: String) -> SidebandAnswerError { .init(.invalidHeader(field)) }
    /// The allow answer's `method` is not an HTTP token.
    public static let invalidMethod = SidebandAnswerError(.invalidMethod)
    /// The allow answer's `url` is not `scheme://host[:port][/path][?query]` (or an origin-form path).
    public static let invalidURL = SidebandAnswerError(.invalidURL)

    /// The same reason with context for logs.
    public func with(detail: String) -> SidebandAnswerError { .init(self.kind, detail: detail) }

    /// A short, bounded label usable as a metric label value (field names are ours, never the provider's).
    public var shortDescription: String {
        switch self.kind {
        case .notJSON: "not_json"
        case .tooDeep: "too_deep"
        case .notAnObject: "not_an_object"
        case .missingField: "missing_field"
        case .wrongType: "wrong_type"
        case .invalidStatus: "invalid_status"
        case .invalidHeader: "invalid_header"
        case .invalidMethod: "invalid_method"
        case .invalidURL: "invalid_url"
        }
    }

    public var description: String {
        let reason: String
        switch self.kind {
        case .notJSON: reason = "answer is not valid JSON"
        case .tooDeep: reason = "answer nests deeper than \(JSONParser.maximumDepth) levels"
        case .notAnObject: reason = "answer is not a JSON object"
        case .missingField(let name): reason = "answer lacks \"\(name)\""
        case .wrongType(let field): reason = "answer has the wrong JSON type for \"\(field)\""
        case .invalidStatus(let field): reason = "answer has an invalid status code in \"\(field)\""
        case .invalidHeader(let field): reason = "answer has an invalid header in \"\(field)\""
        case .invalidMethod: reason = "answer has an invalid \"method\""
        case .invalidURL: reason = "answer has an invalid \"url\""
        }
        guard let detail else { return reason }
        return "\(reason): \(detail)"
    }

    public static func == (lhs: SidebandAnswerError, rhs: SidebandAnswerError) -> Bool {
        lhs.kind == rhs.kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.kind)
    }

    /// Details may quote provider text; keep log lines bounded.
    private static func bounded(_ text: String) -> String {
        text.count <= 120 ? text : String(text.prefix(120)) + "…"
    }
}
