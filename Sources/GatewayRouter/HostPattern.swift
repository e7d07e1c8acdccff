/// One entry of a route's `hosts` or `snis`, compiled.
///
/// Kong turns `*.example.com` into "ends with `.example.com`" and `example.*` into "starts with `example.`";
/// anything else is an exact name. A `:port` suffix (hosts only) adds "and the port is this one".
struct HostPattern: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// The whole name.
        case exact
        /// `*.example.com`: `text` is `.example.com`; matches `a.example.com`, `a.b.example.com`, not
        /// `example.com`.
        case suffix
        /// `example.*`: `text` is `example.`; matches `example.org`, `example.co.uk`.
        case prefix
    }

    var kind: Kind
    /// Lower-case text to compare with (see ``Kind``).
    var text: String
    /// The port the request must have arrived on, when the host was written with one.
    var port: Int?

    /// Parses a configured host (or SNI, with `allowPort` false). `nil` when the value is empty, the port
    /// is not a number in `1...65535`, or a `*` is anywhere but as the whole first or last label.
    init?(_ configured: String, allowPort: Bool) {
        var name = Substring(ASCIICaseInsensitive.lowercased(configured))
        var port: Int?
        if allowPort, let (host, parsedPort) = Self.splitPort(name) {
            guard let parsedPort else {
                return nil
            }
            name = host
            port = parsedPort
        }
        if !allowPort, name.count > 1, name.last == "." {
            // A trailing dot in an FQDN is not used for matching server names (Kong strips it too).
            name = name.dropLast()
        }
        guard !name.isEmpty else {
            return nil
        }
        let stars = name.utf8.count(where: { $0 == ASCII.asterisk })
        if stars == 0 {
            self.kind = .exact
            self.text = String(name)
        } else if stars == 1, name.hasPrefix("*."), name.utf8.count > 2 {
            self.kind = .suffix
            self.text = String(name.dropFirst())
        } else if stars == 1, name.hasSuffix(".*"), name.utf8.count > 2 {
            self.kind = .prefix
            self.text = String(name.dropLast())
        } else {
            return nil
        }
        self.port = port
    }

    /// Splits `host:port`. `nil` when there is no port; `(host, nil)` when there is a port that is not
    /// valid. A bracketed IPv6 literal (`[::1]:8000`) is understood; an unbracketed one (`::1`) has no port.
    private static func splitPort(_ value: Substring) -> (Substring, Int?)? {
        let colon: Substring.Index
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value.index(after: close) < value.endIndex,
                value[value.index(after: close)] == ":"
            else {
                return nil
            }
            colon = value.index(after: close)
        } else {
            guard let first = value.firstIndex(of: ":") else {
                return nil
            }
            if value[value.index(after: first)...].contains(":") {
                return nil  // unbracketed IPv6 literal
            }
            colon = first
        }
        let host = value[..<colon]
        let digits = value[value.index(after: colon)...]
        guard !digits.isEmpty, digits.utf8.count <= 5, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let port = Int(digits), (1...65535).contains(port)
        else {
            return (host, nil)
        }
        return (host, port)
    }

    /// Whether a request's host (or server name) and port match. `name` is compared ASCII-case-insensitively.
    func matches(_ name: String, port requestPort: Int) -> Bool {
        if let port, port != requestPort {
            return false
        }
        switch kind {
        case .exact:
            return ASCIICaseInsensitive.equals(name, text)
        case .suffix:
            return ASCIICaseInsensitive.hasSuffix(name, text)
        case .prefix:
            return ASCIICaseInsensitive.hasPrefix(name, text)
        }
    }
}
