import NIOCore

/// base64url without padding (RFC 4648 §5): how `state` carries the original request, and how a JWT's
/// payload is read. Hand-written so the per-call `state` goes straight into the answer buffer.
enum Base64URL {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8
    )

    /// Appends the encoding of `bytes`' readable bytes to `buffer`.
    static func encode(_ bytes: ByteBuffer, into buffer: inout ByteBuffer) {
        let count = bytes.readableBytes
        let encodedCount = (count * 4 + 2) / 3
        bytes.withUnsafeReadableBytes { input in
            _ = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: encodedCount) { output in
                Self.alphabet.withUnsafeBufferPointer { table in
                    var out = 0
                    var index = 0
                    while index + 3 <= count {
                        let value =
                            UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        output[out] = table[Int(value >> 18 & 0x3F)]
                        output[out + 1] = table[Int(value >> 12 & 0x3F)]
                        output[out + 2] = table[Int(value >> 6 & 0x3F)]
                        output[out + 3] = table[Int(value & 0x3F)]
                        out += 4
                        index += 3
                    }
                    let rest = count - index
                    if rest > 0 {
                        var value = UInt32(input[index]) << 16
                        if rest == 2 { value |= UInt32(input[index + 1]) << 8 }
                        output[out] = table[Int(value >> 18 & 0x3F)]
                        output[out + 1] = table[Int(value >> 12 & 0x3F)]
                        out += 2
                        if rest == 2 {
                            output[out] = table[Int(value >> 6 & 0x3F)]
                            out += 1
                        }
                    }
                    return out
                }
            }
        }
    }

    /// The decoded bytes; accepts the standard alphabet (`+/`) and `=` padding too. nil for any other
    /// character or an impossible length.
    static func decode<Bytes: Collection>(_ text: Bytes) -> ByteBuffer? where Bytes.Element == UInt8 {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(text.count * 3 / 4 + 3)
        var accumulator: UInt32 = 0
        var bits = 0
        var ended = false
        for byte in text {
            let value: UInt32
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = UInt32(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = UInt32(byte - UInt8(ascii: "a")) + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt32(byte - UInt8(ascii: "0")) + 52
            case UInt8(ascii: "-"), UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "_"), UInt8(ascii: "/"): value = 63
            case UInt8(ascii: "="):
                ended = true
                continue
            default: return nil
            }
            if ended { return nil }
            accumulator = accumulator << 6 | value
            bits += 6
            if bits >= 8 {
                bits -= 8
                buffer.writeInteger(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // A single leftover character (6 bits) cannot come from any input.
        return bits >= 6 ? nil : buffer
    }
}
