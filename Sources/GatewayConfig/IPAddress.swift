/// A parsed IPv4 or IPv6 address as 128 bits; internal helper of `IPRange` and of listen address checks.
///
/// IPv4 addresses are kept in the low 32 bits with `isV4` set. IPv4-mapped IPv6 addresses
/// (`::ffff:10.0.0.1`, what a dual-stack socket reports for an IPv4 client) are normalised to IPv4 so that
/// IPv4 ranges match them, as nginx's `set_real_ip_from` does.
struct IPAddress: Equatable {
    var isV4: Bool
    var high: UInt64
    var low: UInt64

    /// Parses dotted IPv4 (`10.0.0.1`) or IPv6 (`2001:db8::1`, `::ffff:1.2.3.4`). A zone (`fe80::1%eth0`)
    /// is dropped only when `allowZone` is set (socket addresses), never inside ranges.
    static func parse(_ text: some StringProtocol, allowZone: Bool = false) -> IPAddress? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") {
            guard allowZone else { return nil }
            text = text[..<percent]
        }
        if !text.contains(":") {
            return parseV4(text).map { IPAddress(isV4: true, high: 0, low: UInt64($0)) }
        }
        guard let (high, low) = parseV6(text) else { return nil }
        if high == 0, low >> 32 == 0x0000_ffff {
            return IPAddress(isV4: true, high: 0, low: low & 0xffff_ffff)
        }
        return IPAddress(isV4: false, high: high, low: low)
    }

    /// Four decimal octets, each 0...255, at most three digits.
    static func parseV4(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit),
                let octet = UInt32(part), octet <= 255
            else { return nil }
            value = value << 8 | octet
        }
        return value
    }

    /// RFC 4291 §2.2 text forms: eight groups, `::` once, an IPv4 tail in the last 32 bits.
    static func parseV6(_ text: Substring) -> (UInt64, UInt64)? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
        switch halves.count {
        case 1:
            guard let groups = parseGroups(halves[0], isLast: true) else { return nil }
            head = groups
        case 2:
            sawGap = true
            guard let first = parseGroups(halves[0], isLast: false),
                let second = parseGroups(halves[1], isLast: true)
            else { return nil }
            head = first
            tail = second
        default:
            return nil
        }
        let total = head.count + tail.count
        guard sawGap ? total <= 7 : total == 8 else { return nil }
        let groups = head + Array(repeating: 0, count: 8 - total) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for group in groups[0..<4] { high = high << 16 | UInt64(group) }
        for group in groups[4..<8] { low = low << 16 | UInt64(group) }
        return (high, low)
    }

    /// Colon-separated hex groups; the last one of the address may be an IPv4 dotted quad (two groups).
    private static func parseGroups(_ text: Substring, isLast: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        var groups: [UInt16] = []
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        for (index, part) in parts.enumerated() {
            if isLast, index == parts.count - 1, part.contains(".") {
                guard let v4 = parseV4(part) else { return nil }
                groups.append(UInt16(v4 >> 16))
                groups.append(UInt16(v4 & 0xffff))
                continue
            }
            guard !part.isEmpty, part.count <= 4, part.allSatisfy(\.isHexDigit), part.allSatisfy(\.isASCII),
                let group = UInt16(part, radix: 16)
            else { return nil }
            groups.append(group)
        }
        return groups
    }
}
