import Yams

/// Reads the keys of one YAML mapping of a rules file, reporting type and range problems at their key path
/// and remembering which keys were read, so that `finish()` reports every unknown key (a misspelt key must
/// never be silently ignored: `metod: POST` would otherwise match every method).
final class RuleReader {
    let sink: ProblemSink
    /// Key path of the mapping itself, e.g. `request_rules[0].match`; `""` for the document.
    let path: String
    /// The mapping node, which places "missing field" problems in the file.
    let node: Node

    private var entries: [(key: String, keyNode: Node, value: Node)] = []
    private var used: Set<String> = []

    /// nil, with a problem reported, when `node` is not a mapping.
    init?(_ node: Node, path: String, sink: ProblemSink) {
        guard case .mapping(let mapping) = node else {
            sink.report("expected a mapping, got \(ProblemSink.describe(node))", at: path, node: node)
            return nil
        }
        self.sink = sink
        self.path = path
        self.node = node
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                sink.report("keys must be strings, got \(ProblemSink.describe(keyNode))", at: path, node: keyNode)
                continue
            }
            self.entries.append((scalar.string, keyNode, value))
        }
    }

    /// The keys in file order.
    var keys: [String] { self.entries.map(\.key) }

    /// Every entry in file order, all marked read (for mappings whose keys are data: header names, JSON
    /// paths).
    func allEntries() -> [(key: String, keyNode: Node, value: Node, path: String)] {
        self.entries.map {
            self.used.insert($0.key)
            return ($0.key, $0.keyNode, $0.value, self.path(quoting: $0.key))
        }
    }

    /// `path.key`, or `key` at the top.
    func path(_ key: String) -> String { self.path.isEmpty ? key : "\(self.path).\(key)" }

    /// `path.key`, or `path["key"]` for keys that would be ambiguous in a dotted path (JSON paths, names
    /// with dots).
    func path(quoting key: String) -> String {
        let plain = key.utf8.allSatisfy {
            ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-")
                || $0 == UInt8(ascii: "_")
        }
        if plain && !key.isEmpty { return self.path(key) }
        let escaped = key.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        return "\(self.path)[\"\(escaped)\"]"
    }

    /// Whether `key` is present (even with a null value). Does not mark it read.
    func contains(_ key: String) -> Bool { self.entries.contains { $0.key == key } }

    /// The value of `key` as written, null included; marks it read.
    func rawValue(_ key: String) -> Node? {
        self.used.insert(key)
        return self.entries.first { $0.key == key }?.value
    }

    /// The value of `key`, marking it read; nil when absent or null.
    func value(_ key: String) -> Node? {
        guard let value = self.rawValue(key), !value.isNull else { return nil }
        return value
    }

    /// Reports `message` at `key` (placed at its value) or, with no key, at the mapping.
    func report(_ message: String, key: String? = nil) {
        guard let key else {
            self.sink.report(message, at: self.path, node: self.node)
            return
        }
        let at = self.entries.first { $0.key == key }?.value ?? self.node
        self.sink.report(message, at: self.path(key), node: at)
    }

    /// Marks keys as read without reading them (documentation keys such as `description`).
    func ignore(_ keys: String...) {
        self.used.formUnion(keys)
    }

    /// Reports every key that no read asked for, at the key itself, with the accepted keys as a hint.
    func finish(expected: [String]? = nil) {
        for entry in self.entries where !self.used.contains(entry.key) {
            var message = "unknown field"
            if let expected, !expected.isEmpty {
                message += " (expected one of: \(expected.joined(separator: ", ")))"
            }
            self.sink.report(message, at: self.path(entry.key), node: entry.keyNode)
        }
    }

    // MARK: - Typed values

    func string(_ key: String) -> String? {
        self.value(key).flatMap { Self.string($0, at: self.path(key), sink: self.sink) }
    }

    func int(_ key: String, range: ClosedRange<Int>) -> Int? {
        self.value(key).flatMap { Self.int($0, at: self.path(key), range: range, sink: self.sink) }
    }

    func double(_ key: String, range: ClosedRange<Double>) -> Double? {
        guard let node = self.value(key) else { return nil }
        guard case .scalar = node, let value = node.float ?? node.int.map(Double.init), range.contains(value) else {
            self.sink.report(
                "expected a number from \(range.lowerBound) to \(range.upperBound), got \(ProblemSink.describe(node))",
                at: self.path(key),
                node: node
            )
            return nil
        }
        return value
    }

    func bool(_ key: String) -> Bool? {
        self.value(key).flatMap { Self.bool($0, at: self.path(key), sink: self.sink) }
    }

    /// A nested mapping reader; nil when absent or null (or not a mapping, which is reported).
    func mapping(_ key: String) -> RuleReader? {
        self.value(key).flatMap { RuleReader($0, path: self.path(key), sink: self.sink) }
    }

    /// One value or a list of values, each with its own path (`key` for a single value, `key[1]` in a list).
    /// Empty when absent; an empty list is reported.
    func oneOrMany(_ key: String) -> [(node: Node, path: String)] {
        guard let node = self.value(key) else { return [] }
        return Self.oneOrMany(node, at: self.path(key), sink: self.sink)
    }

    // MARK: - Node conversions

    /// A string; numbers and booleans are accepted as their text (`X-Count: 5`), lists and mappings are not.
    static func string(_ node: Node, at path: String, sink: ProblemSink) -> String? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            sink.report("expected a string, got \(ProblemSink.describe(node))", at: path, node: node)
            return nil
        }
        return scalar.string
    }

    static func int(_ node: Node, at path: String, range: ClosedRange<Int>, sink: ProblemSink) -> Int? {
        guard case .scalar = node, let value = node.int, range.contains(value) else {
            sink.report(
                "expected an integer from \(range.lowerBound) to \(range.upperBound), got \(ProblemSink.describe(node))",
                at: path,
                node: node
            )
            return nil
        }
        return value
    }

    static func bool(_ node: Node, at path: String, sink: ProblemSink) -> Bool? {
        guard case .scalar = node, node.tag.rawValue == Tag.Name.bool.rawValue, let value = node.bool else {
            sink.report("expected true or false, got \(ProblemSink.describe(node))", at: path, node: node)
            return nil
        }
        return value
    }

    static func oneOrMany(_ node: Node, at path: String, sink: ProblemSink) -> [(node: Node, path: String)] {
        guard case .sequence(let sequence) = node else { return [(node, path)] }
        if sequence.isEmpty { sink.report("expected at least one value", at: path, node: node) }
        return sequence.enumerated().map { ($0.element, "\(path)[\($0.offset)]") }
    }
}
