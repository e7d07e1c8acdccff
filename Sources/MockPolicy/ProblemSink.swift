import Yams

/// Where the problems of one parse go. Sorted by position at the end, so the report reads top to bottom
/// whatever order the checks ran in (unknown keys are found after known ones).
final class ProblemSink {
    private var entries: [MockRulesProblem] = []

    /// Records `message` at key path `location`, placed in the file at `node` when it has a position.
    func report(_ message: String, at location: String, node: Node?) {
        let mark = node?.mark
        self.entries.append(
            MockRulesProblem(location: location, message: message, line: mark?.line, column: mark?.column)
        )
    }

    func report(_ problem: MockRulesProblem) {
        self.entries.append(problem)
    }

    var isEmpty: Bool { self.entries.isEmpty }

    /// Every problem, in file order; problems without a position first, ties in the order found.
    var problems: [MockRulesProblem] {
        self.entries.enumerated()
            .sorted {
                ($0.element.line ?? 0, $0.element.column ?? 0, $0.offset)
                    < ($1.element.line ?? 0, $1.element.column ?? 0, $1.offset)
            }
            .map(\.element)
    }

    /// `"abc"` for strings, the literal for other scalars, `a list` / `a mapping` otherwise, shortened so
    /// that one problem stays on one line.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            var text = scalar.string.count > 60 ? String(scalar.string.prefix(57)) + "..." : scalar.string
            text = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ")
            return node.isStringScalar ? "\"\(text)\"" : text
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

extension Node {
    /// Whether this is a scalar whose resolved type is a string (quoted, or plain text that is not a
    /// number, boolean or null).
    var isStringScalar: Bool {
        guard case .scalar = self else { return false }
        return self.tag.rawValue == Tag.Name.str.rawValue
    }

    /// Whether this is `null`, `~` or an empty value.
    var isNull: Bool {
        guard case .scalar = self else { return false }
        return self.tag.rawValue == Tag.Name.null.rawValue
    }
}
