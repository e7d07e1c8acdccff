/// ASCII case-insensitive comparisons over UTF-8, without allocating.
///
/// Host names, server names and Kong's header values are compared ASCII-case-insensitively (Kong lower-cases
/// with Lua's `string.lower`, which only knows ASCII). The pattern side is lower-cased once when the router
/// is built; only the request side is folded per comparison.
enum ASCIICaseInsensitive {
    static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// `text` with ASCII letters lower-cased; other bytes untouched.
    static func lowercased(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return text
        }
        return String(decoding: text.utf8.map(lower), as: UTF8.self)
    }

    /// Whether `text` equals `lowercasedPattern`, folding `text`'s ASCII letters.
    static func equals(_ text: String, _ lowercasedPattern: String) -> Bool {
        let lhs = text.utf8
        let rhs = lowercasedPattern.utf8
        return lhs.count == rhs.count && lhs.elementsEqual(rhs, by: { lower($0) == $1 })
    }

    /// Whether `text` starts with `lowercasedPrefix`, folding `text`'s ASCII letters.
    static func hasPrefix(_ text: String, _ lowercasedPrefix: String) -> Bool {
        text.utf8.starts(with: lowercasedPrefix.utf8, by: { lower($0) == $1 })
    }

    /// Whether `text` ends with `lowercasedSuffix`, folding `text`'s ASCII letters.
    static func hasSuffix(_ text: String, _ lowercasedSuffix: String) -> Bool {
        text.utf8.reversed().starts(with: lowercasedSuffix.utf8.reversed(), by: { lower($0) == $1 })
    }
}
