/// An `http` or `https` URL, split into what a client needs: where to connect and what to put in the
/// request line and `Host` header.
///
/// `scheme://host[:port][/path][?query][#fragment]`; the scheme is matched without regard to case, the
/// host is lower-cased (an IPv6 literal goes in brackets, kept here without them), the fragment is
/// dropped (it is never sent), an empty path is `/`. Refused (`nil`): other schemes, credentials
/// (`user@`), an empty host, a port outside 1...65535, and a path or query with spaces, control characters
/// or non-ASCII bytes (they would break the request line: percent-encode them).
public struct TargetURL: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https
    }

    public let scheme: Scheme
    /// Lower-cased; IPv6 without brackets.
    public let host: String
    /// The explicit port, or 80 / 443 by scheme.
    public let port: Int
    /// Whether the URL named the port.
    public let hasExplicitPort: Bool
    /// The path, `/` at least.
    public let path: String
    /// The query without `?`; nil when there is none (an empty one counts as none).
    public let query: String?

    public init?(_ text: String) {
        guard let separator = text.firstRange(of: "://"),
            let scheme = Scheme(rawValue: text[..<separator.lowerBound].lowercased())
        else { return nil }
        var rest = text[separator.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        var query: Substring?
        if let questionMark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: questionMark)...]
            rest = rest[..<questionMark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = rest[authorityEnd...]
        guard !authority.contains("@"), path.utf8.allSatisfy(Self.isVisibleASCII),
            (query ?? "").utf8.allSatisfy(Self.isVisibleASCII)
        else { return nil }

        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            guard host.contains(":"), host.utf8.allSatisfy({ Self.isHexDigit($0) || $0 == 58 || $0 == 46 }) else {
                return nil
            }
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            guard host.utf8.allSatisfy(Self.isRegisteredNameByte) else { return nil }
        }
        guard !host.isEmpty else { return nil }
        var port = scheme == .https ? 443 : 80
        if let portText, !portText.isEmpty {
            guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = Int(portText), (1...65535).contains(value)
            else { return nil }
            port = value
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.hasExplicitPort = portText.map { !$0.isEmpty } ?? false
        self.path = path.isEmpty ? "/" : String(path)
        self.query = query.flatMap { $0.isEmpty ? nil : String($0) }
    }

    /// Whether connections use TLS.
    public var isTLS: Bool { self.scheme == .https }

    /// The request target: path and `?query`.
    public var requestTarget: String {
        self.query.map { self.path + "?" + $0 } ?? self.path
    }

    /// The `Host` header: the host, with `:port` when the URL named one (as curl sends it); IPv6 in
    /// brackets.
    public var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return self.hasExplicitPort ? "\(host):\(self.port)" : host
    }

    /// The name for TLS SNI and certificate verification: nil for an IP literal (RFC 6066 §3 forbids them
    /// in SNI; the certificate is then checked against the address).
    public var tlsServerName: String? {
        if self.host.contains(":") || self.host.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) {
            return nil
        }
        return self.host.hasSuffix(".") ? String(self.host.dropLast()) : self.host
    }

    public var description: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "\(self.scheme.rawValue)://\(host):\(self.port)\(self.requestTarget)"
    }

    // MARK: - Bytes

    /// `!` to `~`: no space, no control character, no byte of a multi-byte UTF-8 sequence.
    private static func isVisibleASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte | 0x20 >= 97 && byte | 0x20 <= 102)
    }

    /// Letters, digits, `-`, `.`, `_`, `~`.
    private static func isRegisteredNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 97...122, 65...90, 48...57, 45, 46, 95, 126: true
        default: false
        }
    }
}
