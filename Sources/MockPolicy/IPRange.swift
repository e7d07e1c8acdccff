/// An address or CIDR block for `source_ip:` matchers: `203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`.
///
/// Addresses are compared as 16 bytes; IPv4 is mapped into `::ffff:0:0/96`, so an IPv4 block also matches
/// the IPv4-mapped IPv6 form of its addresses (a dual-stack listener reports `::ffff:10.1.2.3`).
struct IPRange: Sendable, Equatable {
    let address: [UInt8]
    let prefixLength: Int

    static func parse(_ text: String) -> Result<IPRange, PatternError> {
        let invalid = PatternError("\"\(text)\" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)")
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Self.parseAddress(String(parts[0])) else { return .failure(invalid) }
        let isIPv4 = !parts[0].contains(":")
        var prefixLength = 128
        if parts.count == 2 {
            guard let length = Int(parts[1]), length >= 0, length <= (isIPv4 ? 32 : 128) else {
                return .failure(invalid)
            }
            prefixLength = isIPv4 ? length + 96 : length
        }
        return .success(IPRange(address: address, prefixLength: prefixLength))
    }

    /// Whether `text` is an address inside this range; text that is not an address never is.
    func contains(_ text: String) -> Bool {
        guard let candidate = Self.parseAddress(text) else { return false }
        var remaining = self.prefixLength
        for index in 0..<16 where remaining > 0 {
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if candidate[index] & mask != self.address[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    /// 16 bytes, IPv4 mapped; accepts `[v6]` brackets and drops a `%zone`.
    static func parseAddress(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.first == "[" && text.last == "]" { text = text.dropFirst().dropLast() }
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
        if !text.contains(":") {
            guard let v4 = Self.parseIPv4(text) else { return nil }
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4
        }
        return Self.parseIPv6(text)
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), let value = UInt8(octet) else {
                return nil
            }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        let doubleColons = text.ranges(of: "::")
        guard doubleColons.count <= 1 else { return nil }
        let halves =
            doubleColons.first.map { [String(text[..<$0.lowerBound]), String(text[$0.upperBound...])] } ?? [
                String(text)
            ]
        func groups(_ part: String, allowIPv4Tail: Bool) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (offset, piece) in pieces.enumerated() {
                if allowIPv4Tail && offset == pieces.count - 1 && piece.contains(".") {
                    guard let v4 = Self.parseIPv4(piece) else { return nil }
                    bytes += v4
                } else {
                    guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                    bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
                }
            }
            return bytes
        }
        if halves.count == 1 {
            guard let bytes = groups(halves[0], allowIPv4Tail: true), bytes.count == 16 else { return nil }
            return bytes
        }
        guard let head = groups(halves[0], allowIPv4Tail: false), let tail = groups(halves[1], allowIPv4Tail: true),
            head.count + tail.count <= 14
        else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
