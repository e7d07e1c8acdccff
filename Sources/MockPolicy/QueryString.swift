/// Query strings as policies see them: `application/x-www-form-urlencoded` pairs, names and values
/// percent-decoded (`+` is a space), in order, repeated names kept.
enum QueryString {
    struct Parameter {
        var name: String
        var value: String
        /// The pair as it was written (`a=b%20c`), reused unchanged when a rewrite leaves it alone.
        var raw: Substring
    }

    /// The pairs of `raw` (without the `?`); empty pairs (`a=1&&b=2`) are skipped, `flag` without `=` has
    /// the value `""`.
    static func parse(_ raw: Substring) -> [Parameter] {
        raw.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            guard let equals = pair.firstIndex(of: "=") else {
                return Parameter(name: Self.decode(pair), value: "", raw: pair)
            }
            return Parameter(
                name: Self.decode(pair[..<equals]),
                value: Self.decode(pair[pair.index(after: equals)...]),
                raw: pair
            )
        }
    }

    /// Percent-decodes `%XX` (invalid escapes stay as written) and turns `+` into a space. Bytes that do
    /// not form UTF-8 become U+FFFD.
    static func decode<S: StringProtocol>(_ text: S) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else {
            return String(text)
        }
        let bytes = Array(text.utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                decoded.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = Self.hexValue(bytes[index + 1]), let low = Self.hexValue(bytes[index + 2])
            {
                decoded.append(high << 4 | low)
                index += 2
            } else {
                decoded.append(byte)
            }
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`), with
    /// upper-case hex: a space becomes `%20`, `"` becomes `%22`. Used for names and values that rules set.
    static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                encoded.append(byte)
            default:
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// `raw` with the parameters named in `remove` dropped and those in `set` replaced: a set name keeps the
    /// position of its first occurrence (later ones are dropped), new names are appended, in rule order.
    /// Untouched pairs are kept byte for byte. Returns `""` when no parameter is left.
    static func rewrite(_ raw: Substring?, set: [(name: String, value: String)], remove: [String]) -> String {
        var pairs: [String] = []
        var written: Set<String> = []
        for parameter in raw.map(Self.parse) ?? [] {
            if remove.contains(parameter.name) { continue }
            if let replacement = set.first(where: { $0.name == parameter.name }) {
                guard written.insert(parameter.name).inserted else { continue }
                pairs.append(Self.encode(replacement.name) + "=" + Self.encode(replacement.value))
            } else {
                pairs.append(String(parameter.raw))
            }
        }
        for (name, value) in set where !written.contains(name) {
            written.insert(name)
            pairs.append(Self.encode(name) + "=" + Self.encode(value))
        }
        return pairs.joined(separator: "&")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
