public import NIOCore

extension ByteBuffer {
    /// Writes `bytes` as a JSON string literal (quotes included), per SIDEBAND.md §2: `"` and `\` escaped,
    /// control characters as `\n` `\r` `\t` `\b` `\f` or `\u00XX`, everything else (valid UTF-8 included)
    /// passed through unchanged. `/` is not escaped.
    ///
    /// Hand-written because it is the inner loop of every sideband payload: runs of bytes that need no
    /// escaping are copied with one `writeBytes` each instead of byte by byte.
    /// The caller guarantees the bytes are valid UTF-8 (see `UTF8Validation`).
    @discardableResult
    @inlinable
    public mutating func writeJSONString<Bytes: Collection>(_ bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        let start = self.writerIndex
        self.writeInteger(UInt8(ascii: "\""))
        var runStart = bytes.startIndex
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                if runStart != index { self.writeBytes(bytes[runStart..<index]) }
                self.writeJSONEscape(byte)
                runStart = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if runStart != bytes.endIndex { self.writeBytes(bytes[runStart..<bytes.endIndex]) }
        self.writeInteger(UInt8(ascii: "\""))
        return self.writerIndex - start
    }

    /// Writes a Swift string as a JSON string literal.
    @discardableResult
    @inlinable
    public mutating func writeJSONString(_ string: String) -> Int {
        var string = string
        return string.withUTF8 { self.writeJSONString($0) }
    }

    @usableFromInline
    mutating func writeJSONEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): self.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): self.writeStaticString("\\\\")
        case 0x0A: self.writeStaticString("\\n")
        case 0x0D: self.writeStaticString("\\r")
        case 0x09: self.writeStaticString("\\t")
        case 0x08: self.writeStaticString("\\b")
        case 0x0C: self.writeStaticString("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            self.writeStaticString("\\u00")
            hex.withUTF8Buffer { digits in
                self.writeInteger(digits[Int(byte >> 4)])
                self.writeInteger(digits[Int(byte & 0x0F)])
            }
        }
    }
}
