/// The parts of a request target that routing, forwarding and the policy need, found once per request.
///
/// Origin form (`/path?query`) and absolute form (`http://host:port/path?query`, RFC 9112 §3.2.2) are
/// accepted; the authority of an absolute-form target replaces `Host` for routing, as nginx and Kong do.
/// Anything else (authority form, `*`, garbage) is refused with 400 by the caller.
struct RequestTarget: Equatable {
    /// The path as sent (not normalised), never empty.
    var rawPath: Substring
    /// The query after `?`, verbatim; nil when the target has no `?` (an empty query keeps its `?` upstream).
    var query: Substring?
    /// Host and port of an absolute-form target.
    var authority: Substring?

    init?(_ uri: String) {
        var target = uri[...]
        if let hash = target.firstIndex(of: "#") {
            target = target[..<hash]
        }
        if target.first == "/" {
            self.authority = nil
        } else if let rest = RequestTarget.droppingScheme(target) {
            let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard !authority.isEmpty, !authority.contains("@") else { return nil }
            self.authority = authority
            target = rest[authorityEnd...]
        } else {
            return nil
        }
        if let question = target.firstIndex(of: "?") {
            self.rawPath = target[..<question]
            self.query = target[target.index(after: question)...]
        } else {
            self.rawPath = target
            self.query = nil
        }
        if self.rawPath.isEmpty {
            self.rawPath = "/"
        }
    }

    private static func droppingScheme(_ target: Substring) -> Substring? {
        for scheme in ["http://", "https://"] where target.utf8.count > scheme.utf8.count {
            let prefix = target.prefix(scheme.count)
            if prefix.lowercased() == scheme {
                return target.dropFirst(scheme.count)
            }
        }
        return nil
    }
}

/// A `Host` header value (or absolute-form authority) split into a lower-cased host and an optional port.
///
/// Rejects what nginx rejects as an invalid host: empty hosts, bad ports, and characters that cannot be
/// in a DNS name or IP literal (so a `Host` can never smuggle `/`, spaces or CR/LF into the URL we build).
struct HostAndPort: Equatable {
    var host: String
    var port: Int?

    init?<S: StringProtocol>(_ text: S) {
        var value = Substring(text)
        var port: Int? = nil
        if value.first == "[" {
            guard let close = value.firstIndex(of: "]") else { return nil }
            let literal = value[value.index(after: value.startIndex)..<close]
            guard !literal.isEmpty, literal.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
            let rest = value[value.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":", let parsed = HostAndPort.port(rest.dropFirst()) else { return nil }
                port = parsed
            }
            self.host = "[" + literal.lowercased() + "]"
            self.port = port
            return
        }
        if let colon = value.lastIndex(of: ":") {
            guard let parsed = HostAndPort.port(value[value.index(after: colon)...]) else { return nil }
            port = parsed
            value = value[..<colon]
        }
        if value.last == "." { value = value.dropLast() }
        guard !value.isEmpty, value.utf8.count <= 255 else { return nil }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                continue
            default:
                return nil
            }
        }
        self.host = value.lowercased()
        self.port = port
    }

    private static func port(_ digits: Substring) -> Int? {
        guard !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCIIDigit), let value = Int(digits),
            value <= 65535
        else { return nil }
        return value
    }
}

extension Character {
    var isASCIIDigit: Bool { self >= "0" && self <= "9" }
}
