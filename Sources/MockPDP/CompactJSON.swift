import NIOCore
import SidebandProtocol

/// Re-writes a parsed JSON value without insignificant whitespace, optionally with object members sorted
/// by key: the form in which payloads are hashed for replay (`ReplayKey`), so that formatting and key
/// order never decide whether a recording matches.
///
/// Strings are decoded and re-escaped, so `"\u0041"` and `"A"` come out alike; numbers keep their source
/// text (`1.0` and `1` stay different, as they may be to a policy). Duplicate keys are kept, in source
/// order among themselves.
enum CompactJSON {
    /// Writes `value`; with `sortKeys`, every object's members in ascending key order.
    static func write(_ value: JSONValue, sortKeys: Bool, into buffer: inout ByteBuffer) {
        switch value.kind {
        case .object:
            Self.writeMembers(Self.members(of: value, sorted: sortKeys), sortKeys: sortKeys, into: &buffer)
        case .array:
            buffer.writeStaticString("[")
            var first = true
            for element in value.elements {
                if !first { buffer.writeStaticString(",") }
                first = false
                Self.write(element, sortKeys: sortKeys, into: &buffer)
            }
            buffer.writeStaticString("]")
        case .string:
            buffer.writeJSONString(value.string ?? "")
        case .number:
            buffer.writeString(value.numberText ?? "0")
        case .bool:
            if value.bool == true {
                buffer.writeStaticString("true")
            } else {
                buffer.writeStaticString("false")
            }
        case .null:
            buffer.writeStaticString("null")
        }
    }

    /// An object's members, in source order or sorted by key (ties keep source order, so the result does
    /// not depend on the sort's stability).
    static func members(of value: JSONValue, sorted: Bool) -> [(key: String, value: JSONValue)] {
        let members = value.members.map { (key: $0.key, value: $0.value) }
        guard sorted else { return members }
        return members.enumerated()
            .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map(\.element)
    }

    /// Writes `{...}` from already chosen members.
    static func writeMembers(
        _ members: [(key: String, value: JSONValue)],
        sortKeys: Bool,
        into buffer: inout ByteBuffer
    ) {
        buffer.writeStaticString("{")
        var first = true
        for member in members {
            if !first { buffer.writeStaticString(",") }
            first = false
            buffer.writeJSONString(member.key)
            buffer.writeStaticString(":")
            Self.write(member.value, sortKeys: sortKeys, into: &buffer)
        }
        buffer.writeStaticString("}")
    }
}
