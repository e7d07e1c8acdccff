/// Strict UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF), so that a
/// body we describe to the policy is always valid JSON text.
public enum UTF8Validation {
    public static func isValid<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        while let lead = iterator.next() {
            if lead < 0x80 { continue }
            let continuationCount: Int
            var minimum: UInt32
            var scalar: UInt32
            switch lead {
            case 0xC2...0xDF: continuationCount = 1; minimum = 0x80; scalar = UInt32(lead & 0x1F)
            case 0xE0...0xEF: continuationCount = 2; minimum = 0x800; scalar = UInt32(lead & 0x0F)
            case 0xF0...0xF4: continuationCount = 3; minimum = 0x10000; scalar = UInt32(lead & 0x07)
            default: return false
            }
            for _ in 0..<continuationCount {
                guard let next = iterator.next(), next & 0xC0 == 0x80 else { return false }
                scalar = (scalar << 6) | UInt32(next & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return false }
            minimum = 0
        }
        return true
    }
}
