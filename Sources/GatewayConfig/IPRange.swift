/// A CIDR block (`10.0.0.0/8`, `2001:db8::/32`) or a single address (`10.1.2.3`, `::1`), as in Kong's
/// `trusted_ips`.
///
/// Used to decide whether `X-Forwarded-*` / `X-Real-IP` from a client are believed. `0.0.0.0/0` and `::/0`
/// are allowed and together mean "trust everyone". Host bits set below the prefix (`10.1.2.3/8`) are
/// ignored, as nginx does. An IPv4 range also matches IPv4-mapped IPv6 client addresses
/// (`::ffff:10.1.2.3`); an IPv6 range never matches an IPv4 client.
public struct IPRange: Sendable, Equatable, CustomStringConvertible {
    private var isV4: Bool
    private var high: UInt64
    private var low: UInt64
    /// Number of leading bits that must match: 0...32 for IPv4, 0...128 for IPv6.
    private var prefixLength: Int
    private var text: String

    /// The text the range was parsed from.
    public var description: String { text }

    /// Parses `ADDRESS` or `ADDRESS/PREFIX`; `nil` when either part is invalid or the prefix is too long.
    public static func parse(_ text: String) -> IPRange? {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress.parse(parts[0]) else { return nil }
        // `::ffff:1.2.3.4/120` would be normalised to IPv4 with an IPv6 prefix: refuse rather than guess.
        let written6 = parts[0].contains(":")
        let maxPrefix = written6 ? 128 : 32
        if written6 && address.isV4 && parts.count == 2 { return nil }
        var prefix = address.isV4 ? 32 : 128
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isASCIIDigit),
                let value = Int(parts[1]), value <= maxPrefix
            else { return nil }
            prefix = value
        }
        let (high, low) = Self.mask(address, prefix: prefix)
        return IPRange(isV4: address.isV4, high: high, low: low, prefixLength: prefix, text: text)
    }

    /// Whether `address` (textual, as a socket reports it; an IPv6 zone is ignored) lies in the range.
    /// `false` when the address cannot be parsed.
    public func contains(_ address: String) -> Bool {
        guard let parsed = IPAddress.parse(address, allowZone: true), parsed.isV4 == isV4 else { return false }
        let (high, low) = Self.mask(parsed, prefix: prefixLength)
        return high == self.high && low == self.low
    }

    /// Clears every bit after the first `prefix` bits of the address (counted within its family).
    private static func mask(_ address: IPAddress, prefix: Int) -> (UInt64, UInt64) {
        if address.isV4 {
            let keep: UInt64 = prefix == 0 ? 0 : (0xffff_ffff << (32 - prefix)) & 0xffff_ffff
            return (0, address.low & keep)
        }
        let highKeep: UInt64 = prefix >= 64 ? .max : (prefix == 0 ? 0 : .max << (64 - prefix))
        let lowKeep: UInt64 = prefix <= 64 ? 0 : (prefix == 128 ? .max : .max << (128 - prefix))
        return (address.high & highKeep, address.low & lowKeep)
    }
}
