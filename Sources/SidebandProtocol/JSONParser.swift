public import NIOCore

/// A small, strict RFC 8259 parser for policy answers.
///
/// Hand-written because answers are parsed on every proxied request and the module may not use
/// Foundation. It validates the whole text in one pass and records a flat "tape" of nodes (kind and byte
/// range of each value) instead of building a tree of dictionaries and strings; strings are decoded only
/// when a caller asks for them (`JSONValue.string`), and any value's exact source bytes stay available
/// (`JSONValue.rawBytes`), which is how `state` is echoed byte for byte.
///
/// Strict: UTF-8 only (no BOM), no trailing commas, comments, single quotes, `NaN`, leading zeros or raw
/// control characters in strings; nothing but whitespace after the value. `\uXXXX` escapes combine
/// surrogate pairs; an unpaired surrogate decodes to U+FFFD (it has no UTF-8 form; rejecting the whole
/// answer for it would turn a harmless oddity in, say, `state` into a 502).
/// Duplicate keys are kept in order; lookups return the first.
/// The size limit is the caller's (the sideband client caps answer bodies); the depth limit is ours.
public enum JSONParser {
    /// Arrays and objects may nest this deep (the root container is depth 1). Bounds the parser's
    /// recursion; real answers nest 3 or 4 levels.
    public static let maximumDepth = 64

    /// Parses `buffer`'s readable bytes (the buffer itself is not consumed).
    ///
    /// - Throws: `SidebandAnswerError.notJSON` (with the byte offset in `detail`) or `.tooDeep`.
    public static func parse(_ buffer: ByteBuffer) throws(SidebandAnswerError) -> JSONDocument {
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(SidebandAnswerError) -> [JSONNode] in
                guard UTF8Validation.isValid(contiguous: bytes) else {
                    throw SidebandAnswerError.notJSON.with(detail: "not UTF-8")
                }
                var parser = Parser(bytes: bytes)
                try parser.parseDocument()
                return parser.nodes
            }
        }
        let nodes = try result.get()
        return JSONDocument(source: buffer, nodes: nodes)
    }
}

/// Builds the tape of one JSON text.
private struct Parser {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var nodes: [JSONNode] = []

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        // Enough for a typical answer (a few dozen headers) without regrowing; not proportional to the
        // input, whose bulk is usually one long body string.
        self.nodes.reserveCapacity(64)
    }

    mutating func parseDocument() throws(SidebandAnswerError) {
        try self.parseValue(depth: 0)
        self.skipWhitespace()
        guard self.position == self.bytes.count else { throw self.failure("trailing characters") }
    }

    private mutating func parseValue(depth: Int) throws(SidebandAnswerError) {
        self.skipWhitespace()
        guard let byte = self.peek() else { throw self.failure("unexpected end") }
        switch byte {
        case UInt8(ascii: "{"): try self.parseContainer(.object, closing: UInt8(ascii: "}"), depth: depth + 1)
        case UInt8(ascii: "["): try self.parseContainer(.array, closing: UInt8(ascii: "]"), depth: depth + 1)
        case UInt8(ascii: "\""): try self.parseString()
        case UInt8(ascii: "t"): try self.parseLiteral("true", kind: .true)
        case UInt8(ascii: "f"): try self.parseLiteral("false", kind: .false)
        case UInt8(ascii: "n"): try self.parseLiteral("null", kind: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try self.parseNumber()
        default: throw self.failure("unexpected character")
        }
    }

    /// Objects and arrays: the node is appended first, then its children; `next` and `count` are filled
    /// in once the closing bracket is found. Object children alternate key string, value.
    private mutating func parseContainer(
        _ kind: JSONNode.Kind,
        closing: UInt8,
        depth: Int
    ) throws(SidebandAnswerError) {
        guard depth <= JSONParser.maximumDepth else { throw SidebandAnswerError.tooDeep }
        let index = self.nodes.count
        self.nodes.append(JSONNode(kind: kind, start: self.position))
        self.position += 1
        self.skipWhitespace()
        var count = 0
        if self.peek() == closing {
            self.position += 1
        } else {
            while true {
                if kind == .object {
                    self.skipWhitespace()
                    guard self.peek() == UInt8(ascii: "\"") else { throw self.failure("expected a key") }
                    try self.parseString()
                    self.skipWhitespace()
                    guard self.peek() == UInt8(ascii: ":") else { throw self.failure("expected ':'") }
                    self.position += 1
                }
                try self.parseValue(depth: depth)
                count += 1
                self.skipWhitespace()
                guard let byte = self.peek() else { throw self.failure("unexpected end") }
                self.position += 1
                if byte == UInt8(ascii: ",") { continue }
                if byte == closing { break }
                self.position -= 1
                throw self.failure("expected ',' or closing bracket")
            }
        }
        self.nodes[index].end = self.position
        self.nodes[index].next = self.nodes.count
        self.nodes[index].count = count
    }

    /// Validates a string literal (escapes well formed, no raw control characters); decoding waits until
    /// someone reads it.
    private mutating func parseString() throws(SidebandAnswerError) {
        let start = self.position
        self.position += 1
        var hasEscapes = false
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                var node = JSONNode(kind: .string, start: start)
                node.end = self.position
                node.next = self.nodes.count + 1
                node.hasEscapes = hasEscapes
                self.nodes.append(node)
                return
            case UInt8(ascii: "\\"):
                hasEscapes = true
                self.position += 1
                guard let escaped = self.peek() else { throw self.failure("unterminated string") }
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    self.position += 1
                case UInt8(ascii: "u"):
                    guard self.position + 4 < self.bytes.count,
                        JSONNode.hexValue(self.bytes, at: self.position + 1) != nil
                    else { throw self.failure("invalid \\u escape") }
                    self.position += 5
                default:
                    throw self.failure("invalid escape")
                }
            case 0x00..<0x20:
                throw self.failure("control character in string")
            default:
                self.position += 1
            }
        }
        throw self.failure("unterminated string")
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as text.
    private mutating func parseNumber() throws(SidebandAnswerError) {
        let start = self.position
        if self.peek() == UInt8(ascii: "-") { self.position += 1 }
        guard let first = self.peek(), Self.isDigit(first) else { throw self.failure("invalid number") }
        self.position += 1
        if first != UInt8(ascii: "0") { self.skipDigits() }
        if self.peek() == UInt8(ascii: ".") {
            self.position += 1
            guard let digit = self.peek(), Self.isDigit(digit) else { throw self.failure("invalid number") }
            self.skipDigits()
        }
        if self.peek() == UInt8(ascii: "e") || self.peek() == UInt8(ascii: "E") {
            self.position += 1
            if self.peek() == UInt8(ascii: "+") || self.peek() == UInt8(ascii: "-") { self.position += 1 }
            guard let digit = self.peek(), Self.isDigit(digit) else { throw self.failure("invalid number") }
            self.skipDigits()
        }
        var node = JSONNode(kind: .number, start: start)
        node.end = self.position
        node.next = self.nodes.count + 1
        self.nodes.append(node)
    }

    private mutating func parseLiteral(_ literal: StaticString, kind: JSONNode.Kind) throws(SidebandAnswerError) {
        let start = self.position
        let length = literal.utf8CodeUnitCount
        guard start + length <= self.bytes.count else { throw self.failure("invalid literal") }
        let matches = literal.withUTF8Buffer { expected in
            expected.indices.allSatisfy { self.bytes[start + $0] == expected[$0] }
        }
        guard matches else { throw self.failure("invalid literal") }
        self.position += length
        var node = JSONNode(kind: kind, start: start)
        node.end = self.position
        node.next = self.nodes.count + 1
        self.nodes.append(node)
    }

    private func peek() -> UInt8? {
        self.position < self.bytes.count ? self.bytes[self.position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = self.peek(),
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
        {
            self.position += 1
        }
    }

    private mutating func skipDigits() {
        while let byte = self.peek(), Self.isDigit(byte) { self.position += 1 }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func failure(_ what: String) -> SidebandAnswerError {
        SidebandAnswerError.notJSON.with(detail: "\(what) at byte \(self.position)")
    }
}
