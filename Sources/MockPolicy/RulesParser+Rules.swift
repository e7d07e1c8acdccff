import Yams

extension RulesParser {
    static let requestRuleKeys = ["name", "description", "match", "allow", "deny", "latency_ms", "fault"]
    static let responseRuleKeys = ["name", "description", "match", "respond", "deny", "pass", "latency_ms", "fault"]

    /// One request rule, or (`isDefault`) the request default: `allow`, `deny`, or a mapping like a rule
    /// without `name` and `match`.
    func parseRequestRule(_ node: Node, path: String, defaultName: String, isDefault: Bool) -> RequestRule? {
        if isDefault, case .scalar = node {
            switch node.string {
            case "allow":
                return RequestRule(name: "default", matcher: RequestMatcher(), outcome: .allow(AllowChanges()))
            case "deny":
                return RequestRule(name: "default", matcher: RequestMatcher(), outcome: .deny(Self.defaultDeny))
            default:
                self.sink.report(
                    "expected allow, deny or a mapping, got \(ProblemSink.describe(node))",
                    at: path,
                    node: node
                )
                return nil
            }
        }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        reader.ignore("description")
        let name = isDefault ? defaultName : self.ruleName(reader, defaultName: defaultName)
        let matcher =
            isDefault ? RequestMatcher() : reader.mapping("match").map(self.parseRequestMatcher) ?? RequestMatcher()
        let scope = TemplateScope(phase: .request, captures: matcher.captureNames)
        let latency = reader.int("latency_ms", range: 0...600_000)
        let fault = reader.value("fault").flatMap { self.parseFault($0, path: reader.path("fault")) }

        let outcomes = ["allow", "deny"].filter(reader.contains)
        var outcome: RequestOutcome?
        switch outcomes.first {
        case "allow":
            outcome = self.parseAllow(reader.rawValue("allow"), path: reader.path("allow"), scope: scope).map {
                .allow($0)
            }
        case "deny":
            outcome = self.parseDeny(reader.rawValue("deny"), path: reader.path("deny"), scope: scope).map { .deny($0) }
        default:
            if fault != nil || reader.contains("fault") {
                outcome = .allow(AllowChanges())
            } else {
                reader.report("a rule needs an outcome: allow or deny")
            }
        }
        if outcomes.count > 1 {
            reader.report("a rule has one outcome: allow or deny, not both")
            for outcome in outcomes { _ = reader.rawValue(outcome) }
        }
        reader.finish(
            expected: isDefault ? Self.requestRuleKeys.filter { $0 != "name" && $0 != "match" } : Self.requestRuleKeys
        )
        guard let outcome else { return nil }
        return RequestRule(name: name, matcher: matcher, outcome: outcome, latencyMs: latency, fault: fault)
    }

    /// One response rule, or (`isDefault`) the response default: `pass`, `deny`, or a mapping like a rule
    /// without `name` and `match`.
    func parseResponseRule(_ node: Node, path: String, defaultName: String, isDefault: Bool) -> ResponseRule? {
        if isDefault, case .scalar = node {
            switch node.string {
            case "pass": return ResponseRule(name: "default", matcher: ResponseMatcher(), outcome: .pass)
            case "deny":
                return ResponseRule(name: "default", matcher: ResponseMatcher(), outcome: .deny(Self.defaultDeny))
            default:
                self.sink.report(
                    "expected pass, deny or a mapping, got \(ProblemSink.describe(node))",
                    at: path,
                    node: node
                )
                return nil
            }
        }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        reader.ignore("description")
        let name = isDefault ? defaultName : self.ruleName(reader, defaultName: defaultName)
        let matcher =
            isDefault ? ResponseMatcher() : reader.mapping("match").map(self.parseResponseMatcher) ?? ResponseMatcher()
        let scope = TemplateScope(phase: .response, captures: matcher.captureNames)
        let latency = reader.int("latency_ms", range: 0...600_000)
        let fault = reader.value("fault").flatMap { self.parseFault($0, path: reader.path("fault")) }

        let outcomes = ["respond", "deny", "pass"].filter(reader.contains)
        var outcome: ResponseOutcome?
        switch outcomes.first {
        case "respond":
            outcome = self.parseRespond(reader.rawValue("respond"), path: reader.path("respond"), scope: scope)
                .map { .respond($0) }
        case "deny":
            outcome = self.parseDeny(reader.rawValue("deny"), path: reader.path("deny"), scope: scope).map { .deny($0) }
        case "pass":
            if let value = reader.rawValue("pass"), !value.isNull {
                reader.report("pass takes no value (write `pass:` alone)", key: "pass")
            }
            outcome = .pass
        default:
            if fault != nil || reader.contains("fault") {
                outcome = .pass
            } else {
                reader.report("a rule needs an outcome: respond, deny or pass")
            }
        }
        if outcomes.count > 1 {
            reader.report("a rule has one outcome: respond, deny or pass, not several")
            for outcome in outcomes { _ = reader.rawValue(outcome) }
        }
        reader.finish(
            expected: isDefault ? Self.responseRuleKeys.filter { $0 != "name" && $0 != "match" } : Self.responseRuleKeys
        )
        guard let outcome else { return nil }
        return ResponseRule(name: name, matcher: matcher, outcome: outcome, latencyMs: latency, fault: fault)
    }

    private func ruleName(_ reader: RuleReader, defaultName: String) -> String {
        guard let name = reader.string("name") else { return defaultName }
        if name.isEmpty || name.utf8.contains(where: { $0 < 0x20 }) {
            reader.report("a name is a non-empty single line", key: "name")
        }
        return name
    }

    /// PingAuthorize's default deny: 403, `{"errorMessage":"Access Denied","status":403}`.
    static let defaultDeny = DenyOutcome(status: 403, headers: [], body: nil)

    // MARK: - Faults

    /// `garbage`, `drop`, `rate_limit`, `{status: 503, body: ...}` or `{rate_limit: {retry_after: 2}}`.
    func parseFault(_ node: Node, path: String) -> MockFault? {
        if case .scalar = node {
            switch node.string {
            case "garbage": return .garbage
            case "drop": return .dropConnection
            case "rate_limit": return .rateLimit(retryAfter: nil)
            default:
                self.sink.report(
                    "expected garbage, drop, rate_limit, {status: N, body: ...} or {rate_limit: {retry_after: N}}",
                    at: path,
                    node: node
                )
                return nil
            }
        }
        guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
        defer { reader.finish(expected: ["status", "body", "rate_limit"]) }
        if reader.contains("status") && reader.contains("rate_limit") {
            reader.report("a fault is either status or rate_limit, not both")
            return nil
        }
        if reader.contains("rate_limit") {
            guard let limit = reader.mapping("rate_limit") else { return .rateLimit(retryAfter: nil) }
            defer { limit.finish(expected: ["retry_after"]) }
            guard let value = limit.value("retry_after") else { return .rateLimit(retryAfter: nil) }
            if let seconds = value.int {
                guard seconds >= 0 else {
                    limit.report("retry_after is a number of seconds (0 or more) or an HTTP date", key: "retry_after")
                    return nil
                }
                return .rateLimit(retryAfter: String(seconds))
            }
            return RuleReader.string(value, at: limit.path("retry_after"), sink: self.sink).map {
                .rateLimit(retryAfter: $0)
            }
        }
        guard let status = reader.int("status", range: 100...599) else {
            if !reader.contains("status") { reader.report("a fault mapping needs status or rate_limit") }
            return nil
        }
        var body = #"{"code":"MOCK_FAULT","message":"injected fault"}"#
        if let bodyNode = reader.value("body") {
            if case .scalar = bodyNode {
                body = bodyNode.string ?? ""
            } else if let json = self.constantJSON(bodyNode, path: reader.path("body")) {
                body = json.text
            }
        }
        return .status(status, body: body)
    }

    /// A YAML value as constant JSON (fault bodies are not templates).
    func constantJSON(_ node: Node, path: String) -> JSONTree? {
        switch node {
        case .mapping:
            guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
            var members: [(key: String, value: JSONTree)] = []
            for entry in reader.allEntries() {
                guard let value = self.constantJSON(entry.value, path: entry.path) else { return nil }
                members.append((entry.key, value))
            }
            return .object(members)
        case .sequence(let sequence):
            var elements: [JSONTree] = []
            for (index, element) in sequence.enumerated() {
                guard let value = self.constantJSON(element, path: "\(path)[\(index)]") else { return nil }
                elements.append(value)
            }
            return .array(elements)
        case .scalar, .alias:
            return self.scalarLiteral(node, path: path).map { $0 ?? .string(node.string ?? "") }
        }
    }

    /// The JSON literal of a non-string scalar (`.some(nil)` for a string, nil with a problem for a number
    /// JSON cannot write, such as `.inf`).
    func scalarLiteral(_ node: Node, path: String) -> JSONTree?? {
        let tag = node.tag.rawValue
        if tag == Tag.Name.null.rawValue { return .literal("null") }
        if tag == Tag.Name.bool.rawValue, let bool = node.bool { return .literal(bool ? "true" : "false") }
        if tag == Tag.Name.int.rawValue, let int = node.int { return .literal(String(int)) }
        if tag == Tag.Name.float.rawValue, let double = node.float {
            guard double.isFinite else {
                self.sink.report("JSON has no \(node.string ?? "") (write a finite number)", at: path, node: node)
                return nil
            }
            return .literal(double == double.rounded() && abs(double) < 1e15 ? String(Int(double)) : String(double))
        }
        return .some(nil)
    }
}
