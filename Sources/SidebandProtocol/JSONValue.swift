public import NIOCore

/// A view of one value of a `JSONDocument`: cheap to copy (no decoding happens until a property is read).
///
/// Strings are decoded on demand, numbers are kept as their source text (`numberText`, `integer`), and
/// every value's exact source bytes are available (`rawBytes`).
public struct JSONValue: Sendable {
    /// The JSON type of a value.
    public enum Kind: Sendable, Hashable {
        case object, array, string, number, bool, null
    }

    /// The document this value belongs to.
    public let document: JSONDocument
    let index: Int

    init(document: JSONDocument, index: Int) {
        self.document = document
        self.index = index
    }

    var node: JSONNode { self.document.nodes[self.index] }

    /// The JSON type (`true` and `false` are both `.bool`).
    public var kind: Kind {
        switch self.node.kind {
        case .object: .object
        case .array: .array
        case .string: .string
        case .number: .number
        case .true, .false: .bool
        case .null: .null
        }
    }

    /// The value exactly as it appears in the source (a slice, no copy): `"a\u0041"` for a string,
    /// `1.50` for a number, the whole text of an object.
    public var rawBytes: ByteBuffer { self.document.rawBytes(of: self.node) }

    /// `rawBytes` as a `String` (valid UTF-8 by construction).
    public var rawText: String { self.document.rawText(of: self.node) }

    /// The decoded string, nil when the value is not a string.
    public var string: String? {
        let node = self.node
        guard node.kind == .string else { return nil }
        return self.document.decodeString(node)
    }

    /// The number's source text (`-0.5e3`), nil when the value is not a number.
    public var numberText: String? {
        let node = self.node
        guard node.kind == .number else { return nil }
        return self.document.rawText(of: node)
    }

    /// The number as an `Int` when its text is an integer (no fraction, no exponent) that fits; else nil.
    public var integer: Int? {
        guard let text = self.numberText,
            !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") })
        else { return nil }
        return Int(text)
    }

    /// The boolean, nil when the value is not `true` or `false`.
    public var bool: Bool? {
        switch self.node.kind {
        case .true: true
        case .false: false
        case .object, .array, .string, .number, .null: nil
        }
    }

    /// Whether the value is `null`.
    public var isNull: Bool { self.node.kind == .null }

    /// Members of an object or elements of an array; 0 for scalars.
    public var count: Int { self.node.count }

    /// The first member named `key` (duplicates keep document order; the first wins), nil when absent
    /// or when the value is not an object.
    public subscript(key: String) -> JSONValue? {
        guard self.node.kind == .object else { return nil }
        let nodes = self.document.nodes
        var cursor = self.index + 1
        let end = self.node.next
        while cursor < end {
            let valueIndex = cursor + 1
            if self.document.stringNode(nodes[cursor], equals: key) {
                return JSONValue(document: self.document, index: valueIndex)
            }
            cursor = nodes[valueIndex].next
        }
        return nil
    }

    /// An object's members in document order (duplicates included); empty for other kinds.
    public var members: Members { Members(value: self) }

    /// An array's elements in order; empty for other kinds.
    public var elements: Elements { Elements(value: self) }

    /// The members of an object, walked along the tape.
    public struct Members: Sequence, Sendable {
        let value: JSONValue

        public struct Iterator: IteratorProtocol, Sendable {
            let document: JSONDocument
            var cursor: Int
            let end: Int

            public mutating func next() -> (key: String, value: JSONValue)? {
                guard self.cursor < self.end else { return nil }
                let key = self.document.decodeString(self.document.nodes[self.cursor])
                let value = JSONValue(document: self.document, index: self.cursor + 1)
                self.cursor = self.document.nodes[self.cursor + 1].next
                return (key, value)
            }
        }

        public func makeIterator() -> Iterator {
            let node = self.value.node
            let isObject = node.kind == .object
            return Iterator(
                document: self.value.document,
                cursor: self.value.index + 1,
                end: isObject ? node.next : self.value.index + 1
            )
        }

        public var underestimatedCount: Int { self.value.node.kind == .object ? self.value.node.count : 0 }
    }

    /// The elements of an array, walked along the tape.
    public struct Elements: Sequence, Sendable {
        let value: JSONValue

        public struct Iterator: IteratorProtocol, Sendable {
            let document: JSONDocument
            var cursor: Int
            let end: Int

            public mutating func next() -> JSONValue? {
                guard self.cursor < self.end else { return nil }
                let value = JSONValue(document: self.document, index: self.cursor)
                self.cursor = self.document.nodes[self.cursor].next
                return value
            }
        }

        public func makeIterator() -> Iterator {
            let node = self.value.node
            let isArray = node.kind == .array
            return Iterator(
                document: self.value.document,
                cursor: self.value.index + 1,
                end: isArray ? node.next : self.value.index + 1
            )
        }

        public var underestimatedCount: Int { self.value.node.kind == .array ? self.value.node.count : 0 }
    }
}
