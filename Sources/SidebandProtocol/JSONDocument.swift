public import NIOCore

/// A parsed JSON text: the source bytes (shared with the buffer that was parsed, not copied) and the tape
/// of its values. Navigate it from `root`.
public struct JSONDocument: Sendable {
    /// The parsed text: the readable bytes of the buffer given to `JSONParser.parse`.
    public let source: ByteBuffer
    let nodes: [JSONNode]

    init(source: ByteBuffer, nodes: [JSONNode]) {
        self.source = source
        self.nodes = nodes
    }

    /// The top-level value.
    public var root: JSONValue { JSONValue(document: self, index: 0) }

    /// The exact source bytes of a value (a slice of `source`, no copy).
    func rawBytes(of node: JSONNode) -> ByteBuffer {
        // The node lies inside the readable bytes by construction.
        self.source.getSlice(at: self.source.readerIndex + node.start, length: node.end - node.start)!
    }

    /// The source text of a value (numbers; raw JSON text of containers).
    func rawText(of node: JSONNode) -> String {
        self.source.getString(at: self.source.readerIndex + node.start, length: node.end - node.start)!
    }

    /// Whether a string node decodes to exactly `string`, without decoding it when it has no escapes
    /// (object keys are looked up this way).
    func stringNode(_ node: JSONNode, equals string: String) -> Bool {
        if node.hasEscapes { return self.decodeString(node) == string }
        let length = node.end - node.start - 2
        guard string.utf8.count == length else { return false }
        return self.source.withUnsafeReadableBytes { bytes in
            string.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[(node.start + 1)..<(node.end - 1)]))
        }
    }

    /// The decoded value of a string node.
    func decodeString(_ node: JSONNode) -> String {
        let length = node.end - node.start - 2
        guard node.hasEscapes else {
            return self.source.getString(at: self.source.readerIndex + node.start + 1, length: length)!
        }
        return self.source.withUnsafeReadableBytes { bytes in
            var decoded: [UInt8] = []
            decoded.reserveCapacity(length)
            var index = node.start + 1
            let end = node.end - 1
            while index < end {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "\\") else {
                    decoded.append(byte)
                    index += 1
                    continue
                }
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "b"): decoded.append(0x08)
                case UInt8(ascii: "f"): decoded.append(0x0C)
                case UInt8(ascii: "n"): decoded.append(0x0A)
                case UInt8(ascii: "r"): decoded.append(0x0D)
                case UInt8(ascii: "t"): decoded.append(0x09)
                case UInt8(ascii: "u"):
                    // Validated by the parser: four hex digits follow.
                    var scalar = UInt32(JSONNode.hexValue(bytes, at: index)!)
                    index += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        if index + 6 <= end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                            let low = JSONNode.hexValue(bytes, at: index + 2), (0xDC00...0xDFFF).contains(low)
                        {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                            index += 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    // Not a surrogate any more, so always a valid scalar.
                    decoded.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
                default: decoded.append(escaped)  // `"`, `\`, `/`
                }
            }
            return String(decoding: decoded, as: UTF8.self)
        }
    }
}

/// One value on the tape. Containers are followed by their children (object children alternate key and
/// value); `next` skips the whole subtree, which is how siblings are walked without recursion.
struct JSONNode: Sendable {
    enum Kind: UInt8, Sendable {
        case object, array, string, number, `true`, `false`, null
    }

    var kind: Kind
    /// Strings only: whether decoding is needed (otherwise the contents are the source bytes).
    var hasEscapes = false
    /// Offset of the value's first byte in the source (the opening quote of a string).
    var start: Int
    /// Offset just past the value's last byte.
    var end: Int
    /// Tape index of the first node after this value and its children.
    var next: Int
    /// Members (objects) or elements (arrays); 0 for scalars.
    var count = 0

    init(kind: Kind, start: Int) {
        self.kind = kind
        self.start = start
        self.end = start
        self.next = 0
    }

    /// The value of four hex digits at `offset`, nil if any is not a hex digit.
    static func hexValue(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt16? {
        guard offset + 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for index in offset..<(offset + 4) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
