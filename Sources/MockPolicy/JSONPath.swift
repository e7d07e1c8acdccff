import SidebandProtocol

/// A path into a JSON value: `$.a.b`, `$.items[0].sku`, `$["odd.key"]`. `$` alone is the whole value; the
/// leading `$` may be left out (`a.b`). No wildcards or filters: one path names at most one value.
struct JSONPath: Sendable, Equatable, CustomStringConvertible {
    enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    let steps: [Step]
    /// The path as written, for messages.
    let description: String

    static func parse(_ text: String) -> Result<JSONPath, PatternError> {
        let bytes = Array(text.utf8)
        var steps: [Step] = []
        var index = 0
        let invalid = PatternError("invalid JSON path \"\(text)\" (expected e.g. $.a.b or $.items[0].sku)")
        if bytes.first == UInt8(ascii: "$") {
            index = 1
        } else if let first = bytes.first, first != UInt8(ascii: "."), first != UInt8(ascii: "[") {
            // `a.b` is read as `$.a.b`.
            let end = Self.nameEnd(bytes, from: 0)
            steps.append(.key(String(decoding: bytes[0..<end], as: UTF8.self)))
            index = end
        } else {
            return .failure(invalid)
        }
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."):
                let end = Self.nameEnd(bytes, from: index + 1)
                guard end > index + 1 else { return .failure(invalid) }
                steps.append(.key(String(decoding: bytes[(index + 1)..<end], as: UTF8.self)))
                index = end
            case UInt8(ascii: "["):
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: "]")), close > index + 1 else {
                    return .failure(invalid)
                }
                let inner = bytes[(index + 1)..<close]
                if let quote = inner.first, quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\""),
                    inner.count >= 2, inner.last == quote
                {
                    steps.append(.key(String(decoding: inner.dropFirst().dropLast(), as: UTF8.self)))
                } else if inner.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), inner.count <= 9,
                    let number = Int(String(decoding: inner, as: UTF8.self))
                {
                    steps.append(.index(number))
                } else {
                    return .failure(invalid)
                }
                index = close + 1
            default:
                return .failure(invalid)
            }
        }
        return .success(JSONPath(steps: steps, description: text))
    }

    private static func nameEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: ".") && bytes[end] != UInt8(ascii: "[") { end += 1 }
        return end
    }

    /// The value at this path, nil when some step does not exist.
    func lookup(in root: JSONValue) -> JSONValue? {
        var current = root
        for step in self.steps {
            switch step {
            case .key(let key):
                guard let next = current[key] else { return nil }
                current = next
            case .index(let index):
                guard current.kind == .array, index < current.count else { return nil }
                var elements = current.elements.makeIterator()
                for _ in 0..<index { _ = elements.next() }
                guard let next = elements.next() else { return nil }
                current = next
            }
        }
        return current
    }
}

extension JSONValue {
    /// The value as text: a string's decoded contents, otherwise its JSON source (`42`, `true`, `null`,
    /// `{"a":1}`). What templates insert and what text patterns compare against.
    var text: String {
        self.string ?? self.rawText
    }
}
