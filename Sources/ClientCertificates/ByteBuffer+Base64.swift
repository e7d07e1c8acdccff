import NIOCore

/// The two base64 forms a JWK with `x5c` needs (RFC 4648).
enum Base64Variant: Hashable, Sendable {
    /// RFC 4648 §4: `+` and `/`, `=` padding. Used for `x5c` entries (RFC 7517 §4.7).
    case standard
    /// RFC 4648 §5: `-` and `_`, no padding. Used for every other JWK member (RFC 7515 §2, "Base64url").
    case url

    /// Characters written for `count` input bytes.
    func encodedCount(_ count: Int) -> Int {
        switch self {
        case .standard: ((count + 2) / 3) * 4
        case .url: (count * 4 + 2) / 3
        }
    }
}

extension ByteBuffer {
    /// Writes `bytes` base64-encoded (no line breaks) and returns the number of bytes written.
    ///
    /// Writes straight into the buffer's storage, one reservation, no intermediate `String`.
    @discardableResult
    mutating func writeBase64(_ bytes: some Collection<UInt8>, _ variant: Base64Variant) -> Int {
        let written = bytes.withContiguousStorageIfAvailable { self.writeBase64(contiguous: $0, variant) }
        return written ?? Array(bytes).withUnsafeBufferPointer { self.writeBase64(contiguous: $0, variant) }
    }

    private mutating func writeBase64(contiguous input: UnsafeBufferPointer<UInt8>, _ variant: Base64Variant) -> Int {
        let count = variant.encodedCount(input.count)
        guard count > 0 else { return 0 }
        let alphabet: StaticString =
            switch variant {
            case .standard: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            case .url: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            }
        let table = alphabet.utf8Start
        return self.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { output in
            var out = 0
            var index = 0
            // Whole 3-byte groups become 4 characters.
            while index + 3 <= input.count {
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output[out] = table[Int(group >> 18)]
                output[out + 1] = table[Int((group >> 12) & 0x3F)]
                output[out + 2] = table[Int((group >> 6) & 0x3F)]
                output[out + 3] = table[Int(group & 0x3F)]
                out += 4
                index += 3
            }
            // One or two bytes left: 2 or 3 characters, then `=` up to 4 in the standard form.
            let remaining = input.count - index
            if remaining > 0 {
                let second = remaining == 2 ? UInt32(input[index + 1]) : 0
                let group = UInt32(input[index]) << 16 | second << 8
                output[out] = table[Int(group >> 18)]
                output[out + 1] = table[Int((group >> 12) & 0x3F)]
                out += 2
                if remaining == 2 {
                    output[out] = table[Int((group >> 6) & 0x3F)]
                    out += 1
                }
                if variant == .standard {
                    while out % 4 != 0 {
                        output[out] = UInt8(ascii: "=")
                        out += 1
                    }
                }
            }
            assert(out == count)
            return out
        }
    }
}
