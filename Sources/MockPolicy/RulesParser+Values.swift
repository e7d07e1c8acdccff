import Yams

/// Reading the values that conditions compare: text patterns, header and query matchers, JSON body
/// conditions and literals.
extension RulesParser {
    func pattern(_ text: String, dialect: StringPattern.Dialect, at path: String, node: Node) -> StringPattern? {
        switch StringPattern.parse(text, dialect: dialect) {
        case .success(let pattern): return pattern
        case .failure(let error):
            self.sink.report(error.message, at: path, node: node)
            return nil
        }
    }

    /// A header or query parameter matcher: a value (exact, `*` wildcard or `~regex`), a list of values
    /// (any), or a mapping with `equals`, `glob`, `regex` (each one value or a list) or `present`.
    func parseTextMatcher(_ node: Node, path: String) -> TextMatcher? {
        switch node {
        case .scalar, .alias:
            guard !node.isNull, let text = node.string else {
                self.sink.report(
                    "expected a value, a list of values, or a mapping such as {present: true}",
                    at: path,
                    node: node
                )
                return nil
            }
            return self.pattern(text, dialect: .value, at: path, node: node).map { .anyOf([$0]) }
        case .sequence:
            let patterns = RuleReader.oneOrMany(node, at: path, sink: self.sink).compactMap { element in
                RuleReader.string(element.node, at: element.path, sink: self.sink).flatMap {
                    self.pattern($0, dialect: .value, at: element.path, node: element.node)
                }
            }
            return .anyOf(patterns)
        case .mapping:
            guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
            defer { reader.finish(expected: ["equals", "glob", "regex", "present"]) }
            if reader.contains("present") {
                if reader.keys.count > 1 { reader.report("present cannot be combined with other conditions") }
                return reader.bool("present").map { .present($0) }
            }
            var patterns: [StringPattern] = []
            for element in reader.oneOrMany("equals") {
                if let text = RuleReader.string(element.node, at: element.path, sink: self.sink) {
                    patterns.append(.literal(text, dialect: .value))
                }
            }
            for element in reader.oneOrMany("glob") {
                if let text = RuleReader.string(element.node, at: element.path, sink: self.sink) {
                    switch GlobPattern.compile(text, isPath: false) {
                    case .success(let glob): patterns.append(.glob(glob))
                    case .failure(let error): self.sink.report(error.message, at: element.path, node: element.node)
                    }
                }
            }
            for element in reader.oneOrMany("regex") {
                if let text = RuleReader.string(element.node, at: element.path, sink: self.sink) {
                    switch RegexPattern.compile(text) {
                    case .success(let regex): patterns.append(.regex(regex))
                    case .failure(let error): self.sink.report(error.message, at: element.path, node: element.node)
                    }
                }
            }
            if reader.keys.isEmpty { reader.report("expected equals, glob, regex or present") }
            return .anyOf(patterns)
        }
    }

    /// `body:` of a matcher: JSON path → condition.
    func parseBodyMatcher(_ reader: RuleReader) -> BodyMatcher {
        var fields: [(path: JSONPath, matcher: JSONMatcher)] = []
        for entry in reader.allEntries() {
            guard let jsonPath = self.jsonPath(entry.key, at: entry.path, node: entry.keyNode) else { continue }
            if let matcher = self.parseJSONMatcher(entry.value, path: entry.path) {
                fields.append((jsonPath, matcher))
            }
        }
        return BodyMatcher(fields: fields)
    }

    func jsonPath(_ text: String, at path: String, node: Node) -> JSONPath? {
        switch JSONPath.parse(text) {
        case .success(let jsonPath): return jsonPath
        case .failure(let error):
            self.sink.report(error.message, at: path, node: node)
            return nil
        }
    }

    /// A body field condition: a scalar (equal by type; a string with `~` or `*` is a pattern), a list
    /// (any), or a mapping with one of `equals`, `exists`, `regex`, `glob`, `contains`.
    func parseJSONMatcher(_ node: Node, path: String) -> JSONMatcher? {
        switch node {
        case .scalar, .alias:
            if node.isStringScalar, let text = node.string {
                let looksLikePattern = text.hasPrefix("~") || text.contains("*")
                if looksLikePattern {
                    return self.pattern(text, dialect: .value, at: path, node: node).map { .pattern($0) }
                }
                return .equals(.string(text))
            }
            return self.literal(node, path: path).map { .equals($0) }
        case .sequence:
            let matchers = RuleReader.oneOrMany(node, at: path, sink: self.sink).compactMap {
                self.parseJSONMatcher($0.node, path: $0.path)
            }
            return .anyOf(matchers)
        case .mapping:
            guard let reader = RuleReader(node, path: path, sink: self.sink) else { return nil }
            defer { reader.finish(expected: ["equals", "exists", "regex", "glob", "contains"]) }
            guard reader.keys.count == 1, let key = reader.keys.first else {
                reader.report("expected exactly one of equals, exists, regex, glob, contains")
                _ = reader.allEntries()
                return nil
            }
            switch key {
            case "equals":
                let literals = reader.oneOrMany("equals").compactMap { self.literal($0.node, path: $0.path) }
                return literals.count == 1 ? .equals(literals[0]) : .anyOf(literals.map { .equals($0) })
            case "exists":
                return reader.bool("exists").map { .exists($0) }
            case "regex":
                return reader.string("regex").flatMap { text in
                    switch RegexPattern.compile(text) {
                    case .success(let regex): return .pattern(.regex(regex))
                    case .failure(let error):
                        reader.report(error.message, key: "regex")
                        return nil
                    }
                }
            case "glob":
                return reader.string("glob").flatMap { text in
                    switch GlobPattern.compile(text, isPath: false) {
                    case .success(let glob): return .pattern(.glob(glob))
                    case .failure(let error):
                        reader.report(error.message, key: "glob")
                        return nil
                    }
                }
            case "contains":
                return reader.value("contains").flatMap { self.literal($0, path: reader.path("contains")) }
                    .map { .contains($0) }
            default:
                return nil
            }
        }
    }

    /// A scalar as a typed literal.
    func literal(_ node: Node, path: String) -> JSONLiteral? {
        guard case .scalar = node else {
            self.sink.report("expected a single value, got \(ProblemSink.describe(node))", at: path, node: node)
            return nil
        }
        let tag = node.tag.rawValue
        if tag == Tag.Name.null.rawValue { return .null }
        if tag == Tag.Name.bool.rawValue, let bool = node.bool { return .bool(bool) }
        if tag == Tag.Name.int.rawValue, let int = node.int { return .number(Double(int)) }
        if tag == Tag.Name.float.rawValue, let double = node.float { return .number(double) }
        return .string(node.string ?? "")
    }
}
