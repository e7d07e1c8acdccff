/// The ASCII bytes the router looks at, by name.
enum ASCII {
    static let slash = UInt8(ascii: "/")
    static let percent = UInt8(ascii: "%")
    static let dot = UInt8(ascii: ".")
    static let tilde = UInt8(ascii: "~")
    static let asterisk = UInt8(ascii: "*")
    static let colon = UInt8(ascii: ":")
}

/// Byte classes of RFC 3986 that path normalisation needs.
enum PathBytes {
    /// `ALPHA / DIGIT / "-" / "." / "_" / "~"` (RFC 3986 §2.3): escapes of these are decoded.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Bytes that may stay raw in a path: `pchar` (unreserved, sub-delims, `:` and `@`) and `/`
    /// (RFC 3986 §3.3). `%` is not here: it is only valid as the start of an escape.
    static func isAllowedRaw(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) {
            return true
        }
        switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="), UInt8(ascii: ":"), UInt8(ascii: "@"), UInt8(ascii: "/"):
            return true
        default:
            return false
        }
    }

    /// The value of one hex digit, either case; `nil` for anything else.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"):
            return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"):
            return byte - UInt8(ascii: "A") + 10
        default:
            return nil
        }
    }

    /// Appends `%XX` with upper-case hex (the form RFC 3986 §6.2.2.1 calls normal).
    static func appendEscaped(_ byte: UInt8, to output: inout [UInt8]) {
        output.append(ASCII.percent)
        output.append(upperHexDigit(byte >> 4))
        output.append(upperHexDigit(byte & 0x0F))
    }

    private static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}
