/// The parts of an absolute `scheme://host[:port][/path][?query]` URL that services (`url`) and
/// `ping-auth` (`service_url`) need. Fragments and credentials are refused (silently dropping them would
/// surprise); a query is returned for the caller to accept (`service_url` keeps it) or refuse.
struct ParsedURL: Equatable {
    /// Lower-cased scheme, not checked here (callers say which they accept).
    var scheme: String
    /// Host as written (IPv6 without brackets).
    var host: String
    /// Explicit port, `nil` when absent.
    var port: Int?
    /// Path starting with `/`, `nil` when absent.
    var path: String?
    /// Text after `?`, `nil` when there is no `?`.
    var query: String?

    /// Parses `text`, or says what is wrong in a phrase ready for a problem message.
    static func parse(_ text: String) -> Result<ParsedURL, Invalid> {
        guard let separator = text.firstRange(of: "://") else {
            return .failure(Invalid(reason: "scheme must be http or https"))
        }
        let scheme = text[..<separator.lowerBound].lowercased()
        var rest = text[separator.upperBound...]
        if rest.contains("#") {
            return .failure(Invalid(reason: "must not have a fragment"))
        }
        var query: String?
        if let questionMark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: questionMark)...])
            rest = rest[..<questionMark]
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let path = authorityEnd == rest.endIndex ? nil : String(rest[authorityEnd...])
        if authority.contains("@") {
            return .failure(Invalid(reason: "must not contain credentials"))
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                return .failure(Invalid(reason: "missing ']' after the IPv6 address"))
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return .failure(Invalid(reason: "invalid host")) }
                portText = after.dropFirst()
            }
            guard IPAddress.parse(host)?.isV4 == false else {
                return .failure(Invalid(reason: "'\(host)' is not an IPv6 address"))
            }
        } else {
            host = authority
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                portText = authority[authority.index(after: colon)...]
            }
            if host.trimmingSpaces().isEmpty {
                return .failure(Invalid(reason: "host must not be blank"))
            }
            guard ListenAddress.isHostName(host) else {
                return .failure(Invalid(reason: "'\(host)' is not a valid host"))
            }
        }
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCIIDigit),
                let value = Int(portText), (1...65535).contains(value)
            else {
                return .failure(Invalid(reason: "port must be a number between 1 and 65535"))
            }
            port = value
        }
        return .success(ParsedURL(scheme: scheme, host: String(host), port: port, path: path, query: query))
    }

    struct Invalid: Error {
        var reason: String
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        let text = Substring(self)
        let start = text.firstIndex(where: { $0 != " " && $0 != "\t" }) ?? text.endIndex
        let end = text.lastIndex(where: { $0 != " " && $0 != "\t" }).map { text.index(after: $0) } ?? start
        return text[start..<end]
    }
}
