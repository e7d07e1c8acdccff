/// One thing wrong with a rules file, with where it is.
///
/// Problems are collected rather than thrown one at a time, so that `mock-pdp --check FILE` (and the hot
/// reload log) show every mistake of a file in one run.
public struct MockRulesProblem: Sendable, Equatable, CustomStringConvertible {
    /// Key path in the document, e.g. `request_rules[2].match.path`; `""` when the problem concerns the
    /// whole file (unreadable, invalid YAML, not a mapping).
    public var location: String
    /// What is wrong and, when it helps, what was expected.
    public var message: String
    /// 1-based line in the file, when the YAML parser gave a position; nil otherwise.
    public var line: Int?
    /// 1-based column (in Unicode scalars, as libyaml counts) when `line` is known.
    public var column: Int?

    public init(location: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.location = location
        self.message = message
        self.line = line
        self.column = column
    }

    /// `line:column: location: message`, leaving out the parts that are unknown.
    public var description: String {
        var text = ""
        if let line {
            text += "\(line):\(self.column ?? 1): "
        }
        if !self.location.isEmpty {
            text += "\(self.location): "
        }
        return text + self.message
    }
}

/// Thrown by `MockRules.parse` and `MockRules.load` when a rules file cannot be used. Carries every
/// problem found (never empty), in file order.
public struct MockRulesError: Error, Sendable, CustomStringConvertible {
    /// The file's name as given to `parse(_:sourceName:)` or the path given to `load(path:)`.
    public var sourceName: String
    /// Every problem, sorted by position in the file (problems without a position first).
    public var problems: [MockRulesProblem]

    public init(sourceName: String, problems: [MockRulesProblem]) {
        self.sourceName = sourceName
        self.problems = problems
    }

    /// One problem per line, each prefixed with the file name: `rules.yml:12:9: request_rules[2].match.path:
    /// unknown field`, ready for a terminal or a log.
    public var description: String {
        self.problems.map { "\(self.sourceName):\($0)" }.joined(separator: "\n")
    }
}
