/// An address the gateway (or its status endpoint) listens on, written as in Kong's `proxy_listen`:
/// `HOST:PORT`, `[IPv6]:PORT`, optionally followed by flags.
///
/// Flags: `ssl` makes the listener terminate TLS (it then needs `proxy.tls`); `http2` is accepted so that
/// lines copied from `kong.conf` keep working, but it is ignored (the gateway speaks HTTP/1.1 only). Every
/// other Kong flag (`reuseport`, `backlog=N`, `proxy_protocol`, ...) is rejected rather than silently ignored.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Host or address to bind: `"127.0.0.1"`, `"0.0.0.0"`, `"::1"` (written `[::1]:8000`, kept without
    /// brackets here), or a name such as `"localhost"`.
    public var host: String
    /// Port, `0...65535`; 0 asks the system for an ephemeral port (tests use it).
    public var port: Int
    /// `true` when the listener terminates TLS (`HOST:PORT ssl`). Default `false`.
    public var ssl: Bool

    public init(host: String, port: Int, ssl: Bool = false) {
        self.host = host
        self.port = port
        self.ssl = ssl
    }

    /// `127.0.0.1:8000`, `[::1]:8443 ssl`: the same text `parse` accepts.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(hostPart):\(port)" + (ssl ? " ssl" : "")
    }

    /// Parses `HOST:PORT [ssl] [http2]`; `nil` when the text is not a valid listen address.
    public static func parse(_ text: String) -> ListenAddress? {
        switch parseExplained(text) {
        case .success(let address): return address
        case .failure: return nil
        }
    }

    /// Why a listen address was refused, phrased for a configuration problem.
    struct Invalid: Error {
        var reason: String
    }

    /// Same as `parse`, but says what is wrong so the loader can report it.
    static func parseExplained(_ text: String) -> Result<ListenAddress, Invalid> {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let first = words.first else {
            return .failure(Invalid(reason: "expected HOST:PORT"))
        }
        var ssl = false
        for flag in words.dropFirst() {
            switch flag {
            case "ssl": ssl = true
            case "http2": continue  // accepted for kong.conf compatibility; HTTP/1.1 only
            default:
                return .failure(Invalid(reason: "flag '\(flag)' is not supported (only ssl and http2)"))
            }
        }
        let hostText: Substring
        let portText: Substring
        if first.hasPrefix("[") {
            guard let close = first.firstIndex(of: "]") else {
                return .failure(Invalid(reason: "missing ']' after the IPv6 address"))
            }
            hostText = first[first.index(after: first.startIndex)..<close]
            let rest = first[first.index(after: close)...]
            guard rest.hasPrefix(":") else {
                return .failure(Invalid(reason: "expected HOST:PORT"))
            }
            portText = rest.dropFirst()
            guard IPAddress.parse(hostText)?.isV4 == false else {
                return .failure(Invalid(reason: "'\(hostText)' is not an IPv6 address"))
            }
        } else {
            guard let colon = first.lastIndex(of: ":") else {
                return .failure(Invalid(reason: "expected HOST:PORT"))
            }
            hostText = first[..<colon]
            portText = first[first.index(after: colon)...]
            if hostText.contains(":") {
                return .failure(Invalid(reason: "write IPv6 addresses in brackets, e.g. [::1]:8000"))
            }
            guard isHostName(hostText) else {
                return .failure(Invalid(reason: "'\(hostText)' is not a valid host"))
            }
        }
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
            let port = Int(portText), port <= 65535
        else {
            return .failure(Invalid(reason: "port must be a number between 0 and 65535"))
        }
        return .success(ListenAddress(host: String(hostText), port: port, ssl: ssl))
    }

    /// Letters, digits, `-`, `.` and `_`: a DNS name or an IPv4 address.
    static func isHostName(_ text: Substring) -> Bool {
        !text.isEmpty
            && text.allSatisfy { $0.isASCIIDigit || $0.isASCIILetter || $0 == "-" || $0 == "." || $0 == "_" }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetter: Bool { isASCII && isLetter }
}
