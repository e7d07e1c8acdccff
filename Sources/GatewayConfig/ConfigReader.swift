import Yams

/// Reads the fields of one YAML mapping, each in one line, reporting type and range problems with their
/// key path and remembering which keys were read so that `finish()` can report the unknown ones.
///
/// A key whose value is `null` counts as absent (Kong treats `null` as "use the default"). YAML merge keys
/// (`<<: *defaults`) are expanded; keys written in the mapping itself win over merged ones.
final class ConfigReader {
    let context: LoadContext
    /// Key path of the mapping itself, e.g. `services[0]`; `""` for the document.
    let path: String
    /// The mapping node, used to place "missing field" problems in the file.
    let node: Node
    /// Whether string values may be `{vault://env/NAME}` references (inside plugin configurations).
    let resolvesVault: Bool

    private var entries: [(key: String, keyNode: Node, value: Node)] = []
    private var used: Set<String> = []

    /// `nil`, with a problem reported, when `node` is not a mapping.
    init?(_ node: Node, path: String, context: LoadContext, resolvesVault: Bool = false) {
        guard case .mapping(let mapping) = node else {
            context.report("expected a mapping, got \(LoadContext.describe(node))", at: path, node: node)
            return nil
        }
        self.context = context
        self.path = path
        self.node = node
        self.resolvesVault = resolvesVault
        collect(mapping, merged: false)
    }

    private func collect(_ mapping: Node.Mapping, merged: Bool) {
        var merges: [Node] = []
        for (keyNode, value) in mapping {
            if keyNode.tag.rawValue == Tag.Name.merge.rawValue {
                merges.append(value)
                continue
            }
            guard case .scalar(let scalar) = keyNode else {
                context.report("keys must be strings, got \(LoadContext.describe(keyNode))", at: path, node: keyNode)
                continue
            }
            if merged, entries.contains(where: { $0.key == scalar.string }) { continue }
            entries.append((scalar.string, keyNode, value))
        }
        for merge in merges {
            for source in merge.sequence.map(Array.init) ?? [merge] {
                guard case .mapping(let inner) = source else {
                    context.report("'<<' expects a mapping or a list of mappings", at: path, node: source)
                    continue
                }
                collect(inner, merged: true)
            }
        }
    }

    /// The keys of the mapping, in file order (merged keys last).
    var keys: [String] { entries.map(\.key) }

    /// `path.key`, or `key` at the top.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, marking it read; `nil` when absent or `null`.
    func value(_ key: String) -> Node? {
        used.insert(key)
        guard let entry = entries.first(where: { $0.key == key }) else { return nil }
        if case .scalar = entry.value, entry.value.tag.rawValue == Tag.Name.null.rawValue { return nil }
        return entry.value
    }

    /// Whether `key` is present with a non-null value; does not mark it read.
    func has(_ key: String) -> Bool {
        guard let entry = entries.first(where: { $0.key == key }) else { return false }
        if case .scalar = entry.value, entry.value.tag.rawValue == Tag.Name.null.rawValue { return false }
        return true
    }

    /// Reports `message` at `key` (or at the mapping when `key` is `nil`), placed at the value if present.
    func report(_ message: String, key: String? = nil) {
        guard let key else {
            context.report(message, at: path, node: node)
            return
        }
        let at = entries.first(where: { $0.key == key })?.value ?? node
        context.report(message, at: path(key), node: at)
    }

    // MARK: - Typed fields

    func string(_ key: String, sensitive: Bool = false) -> String? {
        value(key).flatMap { context.string($0, at: path(key), sensitive: sensitive, resolvesVault: resolvesVault) }
    }

    func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    /// Reports `required field missing` when absent.
    func requiredString(_ key: String, sensitive: Bool = false) -> String? {
        guard has(key) else {
            used.insert(key)
            report("required field missing", key: key)
            return nil
        }
        return string(key, sensitive: sensitive)
    }

    func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) -> Int {
        optionalInt(key, range: range) ?? defaultValue
    }

    func optionalInt(_ key: String, range: ClosedRange<Int>) -> Int? {
        value(key).flatMap { context.int($0, at: path(key), range: range) }
    }

    func bool(_ key: String, default defaultValue: Bool) -> Bool {
        optionalBool(key) ?? defaultValue
    }

    func optionalBool(_ key: String) -> Bool? {
        value(key).flatMap { context.bool($0, at: path(key)) }
    }

    /// The elements of a list with their paths (`key[0]`, ...); `[]` when absent, with a problem when the
    /// value is not a list.
    func list(_ key: String) -> [(path: String, node: Node)] {
        guard let value = value(key) else { return [] }
        guard case .sequence(let sequence) = value else {
            context.report("expected a list, got \(LoadContext.describe(value))", at: path(key), node: value)
            return []
        }
        return sequence.enumerated().map { ("\(path(key))[\($0.offset)]", $0.element) }
    }

    /// A list of strings, each passed through `normalize` and then `problem` (a message when the value is
    /// invalid, reported at the element's own path); `nil` when absent. Elements that are not strings are
    /// reported and left out; invalid ones are kept (the load fails anyway).
    func strings(
        _ key: String,
        normalize: (String) -> String = { $0 },
        problem: (String) -> String? = { _ in nil }
    ) -> [String]? {
        guard has(key) else {
            used.insert(key)
            return nil
        }
        var values: [String] = []
        for element in list(key) {
            guard let text = context.string(element.node, at: element.path, resolvesVault: resolvesVault) else {
                continue
            }
            let value = normalize(text)
            if let message = problem(value) {
                context.report(message, at: element.path, node: element.node)
            }
            values.append(value)
        }
        return values
    }

    /// A list of integers in `range`; `nil` when absent. Invalid elements are reported and left out.
    func ints(_ key: String, range: ClosedRange<Int>) -> [Int]? {
        guard has(key) else {
            used.insert(key)
            return nil
        }
        return list(key).compactMap { context.int($0.node, at: $0.path, range: range) }
    }

    /// A reader for a nested mapping; `nil` when absent (or not a mapping, which is reported). The child
    /// resolves vault references when this reader does or when `resolvesVault` asks for it.
    func mapping(_ key: String, resolvesVault: Bool = false) -> ConfigReader? {
        value(key).flatMap {
            ConfigReader($0, path: path(key), context: context, resolvesVault: resolvesVault || self.resolvesVault)
        }
    }

    // MARK: - Keys that are not values

    /// Kong fields that are accepted and have no effect here (`id` is read separately where it matters).
    func ignore(_ keys: String...) {
        used.formUnion(keys)
    }

    /// Kong fields this gateway does not implement: an error when present, so nothing is silently dropped.
    func rejectUnsupported(_ keys: String...) {
        for key in keys where has(key) {
            used.insert(key)
            report("\(key) is not supported by ping-auth-proxy", key: key)
        }
        used.formUnion(keys)
    }

    /// Reports every key that no read asked for, at the key itself.
    func finish() {
        for entry in entries where !used.contains(entry.key) {
            context.report("unknown field", at: path(entry.key), node: entry.keyNode)
        }
    }
}
