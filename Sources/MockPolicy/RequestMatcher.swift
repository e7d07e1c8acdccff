import SidebandProtocol
/// The `match:` of a request rule (or the `request:` of a response rule). Every condition that is given
/// must hold; an empty matcher matches every request.
struct RequestMatcher: Sendable {
    /// Upper-cased; nil: any method.
    var methods: [String]?
    /// Any of these (path dialect: `{id}` captures).
    var paths: [StringPattern]?
    var hosts: [StringPattern]?
    /// Lower-cased names.
    var headers: [(name: String, matcher: TextMatcher)] = []
    /// Decoded names.
    var query: [(name: String, matcher: TextMatcher)] = []
    var body: BodyMatcher?
    var sourceIPs: [IPRange]?
    var clientCertificate: Bool?
    /// Conditions on values the other matchers captured (`captures: {id: [13, 666]}`), checked last.
    var captureConditions: [(name: String, matcher: TextMatcher)] = []

    /// Every capture name some matcher can set (for checking `{{captures.NAME}}` at load time).
    var captureNames: Set<String> {
        var names: Set<String> = []
        for pattern in (self.paths ?? []) + (self.hosts ?? []) { names.formUnion(pattern.captureNames) }
        for header in self.headers { names.formUnion(header.matcher.captureNames) }
        for parameter in self.query { names.formUnion(parameter.matcher.captureNames) }
        names.formUnion(self.body?.captureNames ?? [])
        for condition in self.captureConditions { names.formUnion(condition.matcher.captureNames) }
        return names
    }

    /// Cheap conditions first (method, path, host), the body last: it is parsed only when reached.
    func matches(_ request: SidebandRequest, captures: inout Captures) -> Bool {
        if let methods = self.methods, !methods.contains(request.method) { return false }
        if let paths = self.paths, !Self.any(paths, String(request.path), &captures) { return false }
        if let hosts = self.hosts, !Self.any(hosts, request.host, &captures) { return false }
        if let clientCertificate = self.clientCertificate, request.hasClientCertificate != clientCertificate {
            return false
        }
        if let ranges = self.sourceIPs {
            guard let address = request.sourceIP, ranges.contains(where: { $0.contains(address) }) else { return false }
        }
        for header in self.headers where !header.matcher.matches(request.headerValues(header.name), captures: &captures)
        {
            return false
        }
        for parameter in self.query
        where !parameter.matcher.matches(request.queryValues(parameter.name), captures: &captures) {
            return false
        }
        if let body = self.body, !body.matches(request.bodyJSON, captures: &captures) { return false }
        return Self.check(self.captureConditions, &captures)
    }

    /// Whether every condition on a captured value holds (a capture that was not set never matches).
    static func check(_ conditions: [(name: String, matcher: TextMatcher)], _ captures: inout Captures) -> Bool {
        for condition in conditions {
            let values = captures.value(condition.name).map { [$0] } ?? []
            guard condition.matcher.matches(values, captures: &captures) else { return false }
        }
        return true
    }

    private static func any(_ patterns: [StringPattern], _ text: String, _ captures: inout Captures) -> Bool {
        for pattern in patterns {
            var attempt = captures
            if pattern.matches(text, captures: &attempt) {
                captures = attempt
                return true
            }
        }
        return false
    }
}

/// The `match:` of a response rule.
struct ResponseMatcher: Sendable {
    /// Any of these; nil: any status.
    var statuses: [StatusPattern]?
    var headers: [(name: String, matcher: TextMatcher)] = []
    var body: BodyMatcher?
    /// Conditions on the original request (recovered from `state` or `request`).
    var request: RequestMatcher?
    /// Conditions on captured values, checked last.
    var captureConditions: [(name: String, matcher: TextMatcher)] = []

    var captureNames: Set<String> {
        var names = self.request?.captureNames ?? []
        for header in self.headers { names.formUnion(header.matcher.captureNames) }
        names.formUnion(self.body?.captureNames ?? [])
        for condition in self.captureConditions { names.formUnion(condition.matcher.captureNames) }
        return names
    }

    func matches(_ response: SidebandResponse, captures: inout Captures) -> Bool {
        if let statuses = self.statuses, !statuses.contains(where: { $0.contains(response.status) }) { return false }
        if let request = self.request, !request.matches(response.request, captures: &captures) { return false }
        for header in self.headers
        where !header.matcher.matches(response.headerValues(header.name), captures: &captures) {
            return false
        }
        if let body = self.body, !body.matches(response.bodyJSON, captures: &captures) { return false }
        return RequestMatcher.check(self.captureConditions, &captures)
    }
}

/// `200`, `2xx`, or `200-299`.
struct StatusPattern: Sendable, Equatable {
    var range: ClosedRange<Int>

    func contains(_ status: Int) -> Bool { self.range.contains(status) }

    static func parse(_ text: String) -> StatusPattern? {
        let text = HTTPSyntax.lowercasedASCII(text)
        if let status = Int(text), (100...999).contains(status) { return StatusPattern(range: status...status) }
        if text.count == 3, text.hasSuffix("xx"), let digit = Int(text.prefix(1)), (1...9).contains(digit) {
            return StatusPattern(range: (digit * 100)...(digit * 100 + 99))
        }
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        if bounds.count == 2, let low = Int(bounds[0]), let high = Int(bounds[1]), 100 <= low, low <= high, high <= 999
        {
            return StatusPattern(range: low...high)
        }
        return nil
    }
}
