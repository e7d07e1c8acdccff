import SidebandProtocol
import Yams

extension RulesParser {
    static let requestMatcherKeys = [
        "method", "path", "host", "headers", "query", "body", "source_ip", "client_certificate", "captures",
    ]

    func parseRequestMatcher(_ reader: RuleReader) -> RequestMatcher {
        var matcher = RequestMatcher()
        if reader.contains("method") {
            matcher.methods = reader.oneOrMany("method").compactMap { element in
                guard let method = RuleReader.string(element.node, at: element.path, sink: self.sink) else {
                    return nil
                }
                guard HTTPSyntax.isToken(method) else {
                    self.sink.report("\"\(method)\" is not an HTTP method", at: element.path, node: element.node)
                    return nil
                }
                return method.uppercased()
            }
        }
        if reader.contains("path") {
            matcher.paths = reader.oneOrMany("path").compactMap { element in
                guard let text = RuleReader.string(element.node, at: element.path, sink: self.sink) else { return nil }
                if let first = text.first, first != "/", first != "~", first != "*" {
                    self.sink.report(
                        "a path starts with / (or ~ for a regular expression), got \"\(text)\"",
                        at: element.path,
                        node: element.node
                    )
                    return nil
                }
                return self.pattern(text, dialect: .path, at: element.path, node: element.node)
            }
        }
        if reader.contains("host") {
            matcher.hosts = reader.oneOrMany("host").compactMap { element in
                RuleReader.string(element.node, at: element.path, sink: self.sink).flatMap {
                    self.pattern($0, dialect: .host, at: element.path, node: element.node)
                }
            }
        }
        if let headers = reader.mapping("headers") {
            matcher.headers = headers.allEntries().compactMap { entry in
                guard HTTPSyntax.isToken(entry.key) else {
                    self.sink.report("\"\(entry.key)\" is not a valid header name", at: entry.path, node: entry.keyNode)
                    return nil
                }
                return self.parseTextMatcher(entry.value, path: entry.path).map {
                    (HTTPSyntax.lowercasedASCII(entry.key), $0)
                }
            }
        }
        if let query = reader.mapping("query") {
            matcher.query = query.allEntries().compactMap { entry in
                self.parseTextMatcher(entry.value, path: entry.path).map { (entry.key, $0) }
            }
        }
        if let body = reader.mapping("body") {
            matcher.body = self.parseBodyMatcher(body)
        }
        if reader.contains("source_ip") {
            matcher.sourceIPs = reader.oneOrMany("source_ip").compactMap { element in
                guard let text = RuleReader.string(element.node, at: element.path, sink: self.sink) else { return nil }
                switch IPRange.parse(text) {
                case .success(let range): return range
                case .failure(let error):
                    self.sink.report(error.message, at: element.path, node: element.node)
                    return nil
                }
            }
        }
        matcher.clientCertificate = reader.bool("client_certificate")
        matcher.captureConditions = self.parseCaptureConditions(reader, available: matcher.captureNames)
        reader.finish(expected: Self.requestMatcherKeys)
        return matcher
    }

    func parseResponseMatcher(_ reader: RuleReader) -> ResponseMatcher {
        var matcher = ResponseMatcher()
        if reader.contains("status") {
            matcher.statuses = reader.oneOrMany("status").compactMap { element in
                guard case .scalar = element.node, let text = element.node.string,
                    let status = StatusPattern.parse(text)
                else {
                    self.sink.report(
                        "expected a status such as 200, 2xx or 200-299, got \(ProblemSink.describe(element.node))",
                        at: element.path,
                        node: element.node
                    )
                    return nil
                }
                return status
            }
        }
        if let headers = reader.mapping("headers") {
            matcher.headers = headers.allEntries().compactMap { entry in
                self.parseTextMatcher(entry.value, path: entry.path).map {
                    (HTTPSyntax.lowercasedASCII(entry.key), $0)
                }
            }
        }
        if let body = reader.mapping("body") {
            matcher.body = self.parseBodyMatcher(body)
        }
        if let request = reader.mapping("request") {
            matcher.request = self.parseRequestMatcher(request)
        }
        matcher.captureConditions = self.parseCaptureConditions(reader, available: matcher.captureNames)
        reader.finish(expected: ["status", "headers", "body", "request", "captures"])
        return matcher
    }

    /// `captures:` — capture name → condition, like a header's. The name must be captured by a matcher of
    /// the same rule.
    private func parseCaptureConditions(
        _ reader: RuleReader,
        available: Set<String>
    ) -> [(name: String, matcher: TextMatcher)] {
        guard let captures = reader.mapping("captures") else { return [] }
        return captures.allEntries().compactMap { entry in
            guard available.contains(entry.key) else {
                let known = available.sorted().joined(separator: ", ")
                self.sink.report(
                    "no matcher of this rule captures \"\(entry.key)\""
                        + (known.isEmpty
                            ? " (capture with {name} in a path or (?<name>...) in a regex)" : " (captures: \(known))"),
                    at: entry.path,
                    node: entry.keyNode
                )
                return nil
            }
            return self.parseTextMatcher(entry.value, path: entry.path).map { (entry.key, $0) }
        }
    }
}
