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
        self.writeJSONStringContents(bytes)
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

    /// Writes the escaped contents of a JSON string literal *without* the quotes, so that one JSON string
    /// can be assembled from several parts (the sideband `url` is `scheme://host:port` + path + query,
    /// written straight from the parts instead of concatenating them into a temporary `String`).
    @discardableResult
    @inlinable
    public mutating func writeJSONStringContents<Bytes: Collection>(_ bytes: Bytes) -> Int
    where Bytes.Element == UInt8 {
        let start = self.writerIndex
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
        return self.writerIndex - start
    }

    /// `writeJSONStringContents` for a `String` or `Substring` (one contiguous UTF-8 view, no copy for
    /// native strings).
    @discardableResult
    @inlinable
    public mutating func writeJSONStringContents<S: StringProtocol>(_ string: S) -> Int {
        if let written = string.utf8.withContiguousStorageIfAvailable({ self.writeJSONStringContents($0) }) {
            return written
        }
        return self.writeJSONStringContents(Array(string.utf8))
    }

    /// Writes `string` as a JSON string literal with ASCII `A`–`Z` lower-cased: header names, which
    /// SIDEBAND.md §2 and §4 describe lower-cased. Lower-cases while copying, so no lower-cased `String`
    /// is allocated per header. Non-ASCII bytes are left alone (header names are tokens; anything else
    /// is still written as valid, escaped JSON).
    @discardableResult
    public mutating func writeJSONStringLowercasingASCII(_ string: String) -> Int {
        var string = string
        return string.withUTF8 { name in
            // Worst case every byte becomes `\u00XX` (6 bytes), plus the two quotes.
            self.writeWithUnsafeMutableBytes(minimumWritableBytes: name.count * 6 + 2) { output in
                var out = 0
                output[out] = UInt8(ascii: "\"")
                out += 1
                for var byte in name {
                    if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                        byte |= 0x20
                    } else if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                        out += Self.storeJSONEscape(byte, into: output, at: out)
                        continue
                    }
                    output[out] = byte
                    out += 1
                }
                output[out] = UInt8(ascii: "\"")
                return out + 1
            }
        }
    }

    /// Writes a non-negative or negative integer in decimal (a JSON number). `String(Int)` fits the small
    /// string representation, so this does not allocate.
    @discardableResult
    @inlinable
    public mutating func writeJSONInteger(_ value: Int) -> Int {
        self.writeString(String(value))
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

    /// The escape of `byte` (one that needs escaping) stored at `offset`; returns the bytes stored.
    private static func storeJSONEscape(
        _ byte: UInt8,
        into output: UnsafeMutableRawBufferPointer,
        at offset: Int
    ) -> Int {
        output[offset] = UInt8(ascii: "\\")
        let short: UInt8?
        switch byte {
        case UInt8(ascii: "\""): short = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): short = UInt8(ascii: "\\")
        case 0x0A: short = UInt8(ascii: "n")
        case 0x0D: short = UInt8(ascii: "r")
        case 0x09: short = UInt8(ascii: "t")
        case 0x08: short = UInt8(ascii: "b")
        case 0x0C: short = UInt8(ascii: "f")
        default: short = nil
        }
        if let short {
            output[offset + 1] = short
            return 2
        }
        let hex: StaticString = "0123456789abcdef"
        output[offset + 1] = UInt8(ascii: "u")
        output[offset + 2] = UInt8(ascii: "0")
        output[offset + 3] = UInt8(ascii: "0")
        hex.withUTF8Buffer { digits in
            output[offset + 4] = digits[Int(byte >> 4)]
            output[offset + 5] = digits[Int(byte & 0x0F)]
        }
        return 6
    }
}
