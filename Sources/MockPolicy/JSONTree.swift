import NIOCore
import SidebandProtocol

/// A mutable JSON value, built only when a rule edits a body (`set` / `remove`) or writes one from a
/// YAML mapping. Object members keep their order; numbers and literals keep their source text.
indirect enum JSONTree: Sendable {
    case object([(key: String, value: JSONTree)])
    case array([JSONTree])
    case string(String)
    /// A number, `true`, `false` or `null`, as JSON text.
    case literal(String)

    init(_ value: JSONValue) {
        switch value.kind {
        case .object: self = .object(value.members.map { ($0.key, JSONTree($0.value)) })
        case .array: self = .array(value.elements.map(JSONTree.init))
        case .string: self = .string(value.string ?? "")
        case .number, .bool, .null: self = .literal(value.rawText)
        }
    }

    /// Compact JSON text.
    func write(into buffer: inout ByteBuffer) {
        switch self {
        case .object(let members):
            buffer.writeStaticString("{")
            for (index, member) in members.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                buffer.writeJSONString(member.key)
                buffer.writeStaticString(":")
                member.value.write(into: &buffer)
            }
            buffer.writeStaticString("}")
        case .array(let elements):
            buffer.writeStaticString("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { buffer.writeStaticString(",") }
                element.write(into: &buffer)
            }
            buffer.writeStaticString("]")
        case .string(let string):
            buffer.writeJSONString(string)
        case .literal(let text):
            buffer.writeString(text)
        }
    }

    var text: String {
        var buffer = ByteBuffer()
        self.write(into: &buffer)
        return String(buffer: buffer)
    }

    /// Sets the value at `path`, creating missing object members (and intermediate objects) on the way.
    /// An array index may name an element or the position just past the end (append). Returns false, and
    /// changes nothing, when a step meets a value of the wrong kind or an index out of range.
    @discardableResult
    mutating func set(_ path: ArraySlice<JSONPath.Step>, to newValue: JSONTree) -> Bool {
        guard let step = path.first else {
            self = newValue
            return true
        }
        let rest = path.dropFirst()
        switch (step, self) {
        case (.key(let key), .object(var members)):
            if let index = members.firstIndex(where: { $0.key == key }) {
                guard members[index].value.set(rest, to: newValue) else { return false }
            } else {
                var created = JSONTree.object([])
                if case .index = rest.first { created = .array([]) }
                guard created.set(rest, to: newValue) else { return false }
                members.append((key, created))
            }
            self = .object(members)
            return true
        case (.index(let index), .array(var elements)):
            if index < elements.count {
                guard elements[index].set(rest, to: newValue) else { return false }
            } else if index == elements.count {
                var created = JSONTree.object([])
                if case .index = rest.first { created = .array([]) }
                guard created.set(rest, to: newValue) else { return false }
                elements.append(created)
            } else {
                return false
            }
            self = .array(elements)
            return true
        default:
            return false
        }
    }

    /// Removes the value at `path` (every member with that key); false when there is nothing there.
    /// Removing `$` itself is not possible (returns false).
    @discardableResult
    mutating func remove(_ path: ArraySlice<JSONPath.Step>) -> Bool {
        guard let step = path.first else { return false }
        let rest = path.dropFirst()
        switch (step, self) {
        case (.key(let key), .object(var members)):
            if rest.isEmpty {
                let before = members.count
                members.removeAll { $0.key == key }
                guard members.count != before else { return false }
            } else {
                guard let index = members.firstIndex(where: { $0.key == key }), members[index].value.remove(rest)
                else { return false }
            }
            self = .object(members)
            return true
        case (.index(let index), .array(var elements)):
            guard index < elements.count else { return false }
            if rest.isEmpty {
                elements.remove(at: index)
            } else {
                guard elements[index].remove(rest) else { return false }
            }
            self = .array(elements)
            return true
        default:
            return false
        }
    }
}
