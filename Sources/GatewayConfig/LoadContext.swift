import Yams

/// State shared by every reader during one load: where problems go, and what vault references and
/// relative paths resolve against.
///
/// Problems are sorted by their position in the file when the load ends, so the report reads top to bottom
/// whatever order the checks ran in (unknown keys are found after known ones, cross references at the end).
final class LoadContext {
    /// Looked up for `{vault://env/NAME}` references.
    let environment: [String: String]
    /// Directory of the configuration file; relative file paths are resolved against it.
    let baseDirectory: String

    private struct Entry {
        var line: Int
        var column: Int
        var problem: ConfigurationProblem
    }

    private var entries: [Entry] = []

    init(environment: [String: String], baseDirectory: String) {
        self.environment = environment
        self.baseDirectory = baseDirectory
    }

    /// Records a problem at `path`; `node` (when known) places it in the file for ordering.
    func report(_ message: String, at path: String, node: Node?) {
        let mark = node?.mark
        entries.append(
            Entry(line: mark?.line ?? 0, column: mark?.column ?? 0, problem: .init(path: path, message: message))
        )
    }

    var hasProblems: Bool { !entries.isEmpty }

    /// Every problem, in file order; problems at the same place keep the order they were found in.
    var problems: [ConfigurationProblem] {
        entries.enumerated()
            .sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }
            .map(\.element.problem)
    }

    // MARK: - Values

    /// `"abc"` for strings, the literal for other scalars, `a list` / `a mapping` otherwise; long strings
    /// are shortened so one problem stays on one line.
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            let text = scalar.string.count > 60 ? String(scalar.string.prefix(57)) + "..." : scalar.string
            let escaped = text.replacingNewlines()
            return node.tag.rawValue == Tag.Name.str.rawValue ? "\"\(escaped)\"" : escaped
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// A string value. Only YAML strings count (`8000` and `true` are not strings, as in Kong); with
    /// `resolvesVault`, `{vault://env/NAME}` is replaced by the variable. `sensitive` keeps the value out of
    /// the message.
    func string(_ node: Node, at path: String, sensitive: Bool = false, resolvesVault: Bool = false) -> String? {
        guard case .scalar(let scalar) = node,
            [Tag.Name.str.rawValue, Tag.Name.timestamp.rawValue].contains(node.tag.rawValue)
        else {
            report(
                sensitive ? "expected a string" : "expected a string, got \(Self.describe(node))",
                at: path,
                node: node
            )
            return nil
        }
        guard resolvesVault, let resolution = VaultReference.resolve(scalar.string, environment: environment) else {
            return scalar.string
        }
        switch resolution {
        case .success(let value):
            return value
        case .failure(let unresolved):
            report(unresolved.message, at: path, node: node)
            return nil
        }
    }

    /// An integer value in `range`. YAML integers (and floats without a fraction, as Kong's Lua numbers)
    /// count; strings such as `"8000"` do not.
    func int(_ node: Node, at path: String, range: ClosedRange<Int>) -> Int? {
        var value: Int?
        if case .scalar(let scalar) = node {
            switch node.tag.rawValue {
            case Tag.Name.int.rawValue: value = Int.construct(from: scalar)
            case Tag.Name.float.rawValue: value = Double.construct(from: scalar).flatMap { Int(exactly: $0) }
            default: break
            }
        }
        guard let value else {
            report("expected an integer, got \(Self.describe(node))", at: path, node: node)
            return nil
        }
        guard range.contains(value) else {
            let bounds =
                range.upperBound == .max
                ? "must be at least \(range.lowerBound)" : "must be between \(range.lowerBound) and \(range.upperBound)"
            report("\(bounds), got \(value)", at: path, node: node)
            return nil
        }
        return value
    }

    /// A YAML boolean (`true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off`); the string `"true"` is not.
    func bool(_ node: Node, at path: String) -> Bool? {
        guard case .scalar(let scalar) = node, node.tag.rawValue == Tag.Name.bool.rawValue,
            let value = Bool.construct(from: scalar)
        else {
            report("expected a boolean, got \(Self.describe(node))", at: path, node: node)
            return nil
        }
        return value
    }

    /// `path` made absolute against the configuration file's directory (for files the gateway creates).
    func resolvedPath(_ path: String) -> String {
        FileSystem.absolutePath(path, relativeTo: baseDirectory)
    }

    /// Resolves a file path against `baseDirectory` and reports `file not found: PATH` when it does not
    /// exist. Returns the absolute path either way so later checks can go on.
    func existingFile(_ path: String, at keyPath: String, node: Node?) -> String {
        let absolute = self.resolvedPath(path)
        if !FileSystem.fileExists(absolute) {
            report("file not found: \(absolute)", at: keyPath, node: node)
        }
        return absolute
    }
}

extension String {
    /// Newlines and tabs shown as `\n`, `\t` so a message stays on one line.
    fileprivate func replacingNewlines() -> String {
        var result = ""
        for character in self {
            switch character {
            case "\n", "\r\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default: result.append(character)
            }
        }
        return result
    }
}
