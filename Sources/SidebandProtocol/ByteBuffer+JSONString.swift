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
        // Contiguous bytes (String UTF-8, ByteBufferView, arrays) take the word-at-a-time scanner.
        let done: Void? = bytes.withContiguousStorageIfAvailable { pointer in
            self.writeJSONEscapedContents(UnsafeRawBufferPointer(pointer))
        }
        if done != nil { return self.writerIndex - start }
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

    /// The escaping loop over raw bytes, writing straight into reserved output space: eight bytes at a
    /// time while none needs escaping (the common case), clean runs copied with one `memcpy`, escapes
    /// stored byte by byte. Going through `writeBytes`/`writeStaticString` per escape cost ~50 ns each
    /// (capacity and uniqueness checks), which dominated JSON bodies full of quotes. The input is taken
    /// in 16 KiB segments so the worst-case reservation (6 output bytes per input byte) stays bounded.
    @usableFromInline
    mutating func writeJSONEscapedContents(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress else { return }
        let segmentSize = 16_384
        var segmentStart = 0
        while segmentStart < raw.count {
            let count = min(segmentSize, raw.count - segmentStart)
            let input = base + segmentStart
            self.writeWithUnsafeMutableBytes(minimumWritableBytes: count * 6) { output in
                let out = output.baseAddress!
                var written = 0
                var runStart = 0
                var index = 0
                while index < count {
                    while index + 8 <= count,
                        !Self.wordMayNeedEscape(input.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                    {
                        index += 8
                    }
                    if index >= count { break }
                    let byte = input.load(fromByteOffset: index, as: UInt8.self)
                    if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                        let run = index - runStart
                        if run > 0 {
                            (out + written).copyMemory(from: input + runStart, byteCount: run)
                            written += run
                        }
                        written += Self.storeJSONEscape(byte, into: output, at: written)
                        runStart = index + 1
                    }
                    index += 1
                }
                let run = count - runStart
                if run > 0 {
                    (out + written).copyMemory(from: input + runStart, byteCount: run)
                    written += run
                }
                return written
            }
            segmentStart += count
        }
    }

    /// True when some byte of the word may be a control character, `"` or `\` (the classic "has zero
    /// byte" / "has byte less than" bit tricks; a false positive only sends that word to the byte loop).
    @inlinable
    static func wordMayNeedEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word & highBits
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quoteFound = (quote &- ones) & ~quote & highBits
        let backslashFound = (backslash &- ones) & ~backslash & highBits
        return (control | quoteFound | backslashFound) != 0
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
    @usableFromInline
    static func storeJSONEscape(
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
