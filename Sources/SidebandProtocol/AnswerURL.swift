/// The `url` of an allow answer, split into the parts `RequestDiff` compares with what we sent.
///
/// Accepts `scheme://host[:port][/path][?query][#fragment]` (IPv6 hosts in brackets) and, leniently, an
/// origin-form `/path[?query]` (then scheme, host and port count as unchanged). Refuses userinfo
/// (`user@host`), hosts with characters outside RFC 3986's reg-name / IPv6 syntax, and ports outside
/// 1...65535, so nothing from the answer can smuggle bytes into a `Host` header. Path and query bytes
/// that cannot appear in a request line (controls, space, DEL, non-ASCII) are percent-encoded with
/// upper-case hex, the form the gateway's normalised paths use, so a policy that echoes a decoded path
/// (`/sp ace`) does not look like a change of `/sp%20ace`. The fragment is dropped: it never reaches a
/// server.
struct AnswerURL: Equatable, Sendable {
    /// Lower-cased; nil for an origin-form url.
    var scheme: String?
    /// Lower-cased, IPv6 with its brackets; nil for an origin-form url.
    var host: String?
    /// The explicit port, nil when the url has none.
    var port: Int?
    /// Starts with `/`; an empty path is `/`.
    var path: String
    /// The query without `?`; nil when absent or empty (`/q?` has no query, as in the request payload).
    var query: String?

    /// The explicit port, else 80 for http and 443 for https; nil for other schemes without a port.
    var effectivePort: Int? {
        if let port { return port }
        switch self.scheme {
        case "http": return 80
        case "https": return 443
        default: return nil
        }
    }

    static func parse(_ url: String) -> AnswerURL? {
        var bytes = Array(url.utf8)
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes.removeSubrange(hash...) }
        var index = 0
        var result = AnswerURL(scheme: nil, host: nil, port: nil, path: "/", query: nil)

        if bytes.first != UInt8(ascii: "/") {
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
                bytes.count >= colon + 3, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/"),
                Self.isScheme(bytes[..<colon])
            else { return nil }
            result.scheme = HTTPSyntax.lowercasedASCII(String(decoding: bytes[..<colon], as: UTF8.self))
            index = colon + 3
            let authorityEnd =
                bytes[index...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? bytes.count
            guard let (host, port) = Self.parseAuthority(bytes[index..<authorityEnd]) else { return nil }
            result.host = host
            result.port = port
            index = authorityEnd
        } else if bytes.count > 1 && bytes[1] == UInt8(ascii: "/") {
            return nil  // `//host/...`: a network-path reference, not a path.
        }

        let queryStart = bytes[index...].firstIndex(of: UInt8(ascii: "?"))
        let pathBytes = bytes[index..<(queryStart ?? bytes.count)]
        if !pathBytes.isEmpty { result.path = Self.requestLineSafe(pathBytes) }
        if let queryStart, queryStart + 1 < bytes.count {
            result.query = Self.requestLineSafe(bytes[(queryStart + 1)...])
        }
        return result
    }

    /// `host[:port]`, host a bracketed IPv6 address or a reg-name.
    private static func parseAuthority(_ authority: ArraySlice<UInt8>) -> (host: String, port: Int?)? {
        var hostEnd: Int
        var portStart: Int?
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")), close > authority.startIndex + 1,
                authority[(authority.startIndex + 1)..<close].allSatisfy(Self.isIPv6Byte)
            else { return nil }
            hostEnd = close + 1
            if hostEnd < authority.endIndex {
                guard authority[hostEnd] == UInt8(ascii: ":") else { return nil }
                portStart = hostEnd + 1
            }
        } else {
            hostEnd = authority.firstIndex(of: UInt8(ascii: ":")) ?? authority.endIndex
            if hostEnd < authority.endIndex { portStart = hostEnd + 1 }
            guard hostEnd > authority.startIndex,
                authority[authority.startIndex..<hostEnd].allSatisfy(Self.isRegNameByte)
            else { return nil }
        }
        var port: Int?
        if let portStart, portStart < authority.endIndex {
            let digits = authority[portStart...]
            guard digits.count <= 5, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let value = Int(String(decoding: digits, as: UTF8.self)), (1...65_535).contains(value)
            else { return nil }
            port = value
        }
        let host = HTTPSyntax.lowercasedASCII(
            String(decoding: authority[authority.startIndex..<hostEnd], as: UTF8.self)
        )
        return (host, port)
    }

    private static func isScheme(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, Self.isAlpha(first) else { return false }
        return bytes.allSatisfy {
            Self.isAlpha($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "+")
                || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
        }
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    /// RFC 3986 reg-name: unreserved, pct-encoded, sub-delims.
    private static func isRegNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"),
            UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"),
            UInt8(ascii: "="):
            true
        default:
            false
        }
    }

    private static func isIPv6Byte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: ":"), UInt8(ascii: "."):
            true
        default:
            false
        }
    }

    /// Percent-encodes the bytes that would break or be rejected in a request line.
    private static func requestLineSafe(_ bytes: ArraySlice<UInt8>) -> String {
        let needsEncoding = { (byte: UInt8) in byte <= 0x20 || byte >= 0x7F }
        guard bytes.contains(where: needsEncoding) else { return String(decoding: bytes, as: UTF8.self) }
        let hex = Array("0123456789ABCDEF".utf8)
        var encoded: [UInt8] = []
        encoded.reserveCapacity(bytes.count + 16)
        for byte in bytes {
            if needsEncoding(byte) {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(hex[Int(byte >> 4)])
                encoded.append(hex[Int(byte & 0x0F)])
            } else {
                encoded.append(byte)
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }
}
