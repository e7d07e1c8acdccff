/// The few HTTP syntax checks shared by the answer parser, the gateway and the mock (RFC 9110 §5.6.2, §5.5).
public enum HTTPSyntax {
    /// `tchar`: `!#$%&'*+-.^_`|~`, digits, letters.
    public static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// A non-empty token: a valid header name or method.
    public static func isToken(_ string: String) -> Bool {
        !string.isEmpty && string.utf8.allSatisfy(Self.isTokenByte)
    }

    /// A header value we may write on the wire: no CR, LF or NUL (which would split or truncate the
    /// header block). Other bytes are written verbatim, as received values are.
    public static func isSafeFieldValue(_ string: String) -> Bool {
        !string.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }

    /// ASCII lower-casing that returns the string itself (no allocation) when there is nothing to change.
    public static func lowercasedASCII(_ string: String) -> String {
        guard string.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else { return string }
        return String(
            decoding: string.utf8.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 | 0x20 : $0 },
            as: UTF8.self
        )
    }
}
