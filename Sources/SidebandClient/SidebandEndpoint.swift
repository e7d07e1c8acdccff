/// Where the two Sideband API calls of one `ping-auth` instance go, worked out once from `service_url`.
///
/// `service_url` is `http[s]://host[:port][/prefix][?query]`; the calls are `POST {prefix}/sideband/request`
/// and `POST {prefix}/sideband/response`, joined with exactly one `/` whatever the prefix ends with
/// (`https://paz:8443`, `https://paz:8443/` → `/sideband/request`; `https://h/prefix`, `https://h/prefix/`
/// → `/prefix/sideband/request`). A query is kept verbatim after the path (`https://h/p?x=1` →
/// `/p/sideband/request?x=1`); an empty one (`https://h/p?`) is dropped.
///
/// Refused (`nil`), because each would otherwise be silently dropped or put on the wire: a scheme other
/// than `http`/`https`, a fragment, credentials (`user:pass@`), an empty host or port, a port outside
/// 1...65535, a host with characters outside letters, digits, `-`, `.`, `_`, `~` (IPv6 in brackets: hex
/// digits, `:` and `.`; no zone), and a path or query with spaces, control characters or non-ASCII
/// bytes (they could split the request line; percent-encode them in the configuration).
public struct SidebandEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The scheme of `service_url`, matched without regard to case.
    public enum Scheme: String, Sendable, Hashable {
        /// Plain TCP; default port 80.
        case http
        /// TLS; default port 443.
        case https
    }

    public let scheme: Scheme
    /// The host to connect to: ASCII-lower-cased, IPv6 without brackets.
    public let host: String
    /// The explicit port, or 80 / 443 by scheme.
    public let port: Int
    /// The request target of `/sideband/request` (path, and query when `service_url` has one).
    public let requestPath: String
    /// The request target of `/sideband/response`.
    public let responsePath: String

    /// The `Host` header of every call: always `host:port`, the port written even when it is the
    /// scheme's default (as the Lua plugin did; PingAuthorize accepts both); IPv6 in brackets
    /// (`[::1]:8443`).
    public var hostHeader: String {
        self.host.contains(":") ? "[\(self.host)]:\(self.port)" : "\(self.host):\(self.port)"
    }

    /// Whether the calls use TLS (`https`).
    public var tls: Bool {
        switch self.scheme {
        case .http: false
        case .https: true
        }
    }

    /// The name to send in TLS SNI and to verify the certificate against: the host without a trailing
    /// dot, or `nil` for an IP address (RFC 6066 §3 forbids IP literals in SNI; NIOSSL refuses them).
    public var tlsServerName: String? {
        if self.host.contains(":") || self.host.utf8.allSatisfy({ $0 == UInt8(ascii: ".") || $0.isDigit }) {
            return nil
        }
        return self.host.hasSuffix(".") ? String(self.host.dropLast()) : self.host
    }

    /// `scheme://host:port/prefix` without the query, for logs (credentials are refused, so it holds no
    /// secret).
    public var description: String {
        let prefix = self.requestPath.prefix { $0 != "?" }.dropLast(Self.requestSuffix.count)
        return "\(self.scheme.rawValue)://\(self.hostHeader)\(prefix)"
    }

    private static let requestSuffix = "/sideband/request"
    private static let responseSuffix = "/sideband/response"

    /// Parses `service_url`; `nil` when it is not a usable URL (see the type's documentation).
    public init?(serviceURL: String) {
        guard let separator = serviceURL.firstRange(of: "://"),
            let scheme = Scheme(rawValue: serviceURL[..<separator.lowerBound].lowercased())
        else { return nil }
        var rest = serviceURL[separator.upperBound...]
        guard !rest.contains("#") else { return nil }

        var query = ""
        if let questionMark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: questionMark)...])
            rest = rest[..<questionMark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        guard path.utf8.allSatisfy(\.isVisibleASCII), query.utf8.allSatisfy(\.isVisibleASCII) else { return nil }

        guard let (host, portText) = Self.splitAuthority(authority) else { return nil }
        var port: Int
        switch scheme {
        case .http: port = 80
        case .https: port = 443
        }
        if let portText {
            guard (1...5).contains(portText.utf8.count), portText.utf8.allSatisfy(\.isDigit),
                let value = Int(portText), (1...65535).contains(value)
            else { return nil }
            port = value
        }

        var prefix = path
        while prefix.hasSuffix("/") { prefix = prefix.dropLast() }
        let querySuffix = query.isEmpty ? "" : "?" + query
        self.scheme = scheme
        self.host = host
        self.port = port
        self.requestPath = prefix + Self.requestSuffix + querySuffix
        self.responsePath = prefix + Self.responseSuffix + querySuffix
    }

    /// The lower-cased host (IPv6 without brackets) and the port text after `:` (`nil` when there is no
    /// `:`), or `nil` when the authority is not acceptable.
    private static func splitAuthority(_ authority: Substring) -> (host: String, port: Substring?)? {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            guard host.contains(":"),
                host.utf8.allSatisfy({ $0.isHexDigit || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
            else { return nil }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else {
            host = authority
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            guard !host.isEmpty, host.utf8.allSatisfy(\.isRegisteredNameCharacter) else { return nil }
        }
        return (String(decoding: host.utf8.map(\.asciiLowercased), as: UTF8.self), portText)
    }
}

extension UInt8 {
    fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

    fileprivate var isHexDigit: Bool {
        self.isDigit || (self | 0x20 >= UInt8(ascii: "a") && self | 0x20 <= UInt8(ascii: "f"))
    }

    /// Letters, digits, `-`, `.`, `_`, `~` (RFC 3986 unreserved; no percent-escapes or sub-delims).
    fileprivate var isRegisteredNameCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// `!` to `~`: no space, no control character, no byte of a multi-byte UTF-8 sequence.
    fileprivate var isVisibleASCII: Bool { self > 0x20 && self < 0x7F }

    fileprivate var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self
    }
}
