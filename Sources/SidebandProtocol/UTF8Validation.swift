/// Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), so that a
/// body we describe to the policy is always valid JSON text.
///
/// Runs over every described body, so it works on contiguous memory (a `ByteBufferView` is) and skips
/// ASCII eight bytes at a time; other collections are copied once first.
public enum UTF8Validation {
    @inlinable
    public static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        if let valid = bytes.withContiguousStorageIfAvailable({ Self.isValid(contiguous: UnsafeRawBufferPointer($0)) })
        {
            return valid
        }
        return Array(bytes).withUnsafeBytes { Self.isValid(contiguous: $0) }
    }

    @usableFromInline
    static func isValid(contiguous bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            while index + 8 <= count,
                bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                index += 8
            }
            guard index < count else { return true }
            let lead = bytes[index]
            index += 1
            if lead < 0x80 { continue }
            let continuationCount: Int
            let minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF:
                continuationCount = 1
                minimum = 0x80
                scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF:
                continuationCount = 2
                minimum = 0x800
                scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4:
                continuationCount = 3
                minimum = 0x10000
                scalar = UInt32(lead & 0x07)
            default:
                return false
            }
            guard index + continuationCount <= count else { return false }
            for offset in 0..<continuationCount {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else { return false }
                scalar = (scalar << 6) | UInt32(next & 0x3F)
            }
            index += continuationCount
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
        }
        return true
    }
}
