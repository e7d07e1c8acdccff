import NIOCore
import SidebandProtocol

/// A `/sideband/request` payload (SIDEBAND.md §2) as the rules see it: validated once, decoded lazily (a
/// trivial allow rule never decodes a header or the body).
///
/// Also stands for the original request in the response phase, rebuilt from `state`, from the `request`
/// object, or (context method `none`) from the method and url alone.
final class SidebandRequest {
    struct Header {
        /// As written in the payload (the gateway lower-cases names).
        var name: String
        var value: String
        var lowercasedName: String
    }

    /// The payload object; nil when only the method and url are known.
    let root: JSONValue?
    let method: String
    let url: String
    /// `scheme://authority` of `url`, `""` for an origin-form url.
    let origin: Substring
    /// The url's path (`/` when empty).
    let path: Substring
    /// The url's query without `?`; nil when absent.
    let query: Substring?
    /// Lower-cased, without port or IPv6 brackets.
    let host: String
    /// `source_ip` of the payload, else the address the call came from.
    let sourceIP: String?
    let hasClientCertificate: Bool

    /// Validates the shape of `root` (an object with string `method` and `url`, `headers` a list of objects
    /// with string values, `body` a string) without decoding more than method and url.
    init(payload root: JSONValue, fallbackSourceIP: String?) throws(PayloadError) {
        guard root.kind == .object else { throw PayloadError("the request payload must be a JSON object") }
        guard let method = root["method"]?.string, !method.isEmpty else {
            throw PayloadError("the request payload needs a string \"method\"")
        }
        guard let url = root["url"]?.string else { throw PayloadError("the request payload needs a string \"url\"") }
        try Self.validateHeaders(root["headers"])
        if let body = root["body"], body.kind != .string, !body.isNull {
            throw PayloadError("\"body\" must be a string")
        }
        self.root = root
        self.method = method
        self.url = url
        (self.origin, self.path, self.query, self.host) = Self.split(url)
        self.sourceIP = root["source_ip"]?.string ?? fallbackSourceIP
        self.hasClientCertificate = root["client_certificate"].map { !$0.isNull } ?? false
    }

    /// A request known only by its method and url (the response phase with nothing to recover it from).
    init(method: String, url: String) {
        self.root = nil
        self.method = method
        self.url = url
        (self.origin, self.path, self.query, self.host) = Self.split(url)
        self.sourceIP = nil
        self.hasClientCertificate = false
    }

    /// Every header line in payload order.
    lazy var headers: [Header] = Self.decodeHeaders(self.root?["headers"])

    /// Every value of the header `lowercasedName`, in order.
    func headerValues(_ lowercasedName: String) -> [String] {
        self.headers.compactMap { $0.lowercasedName == lowercasedName ? $0.value : nil }
    }

    lazy var queryParameters: [QueryString.Parameter] = self.query.map(QueryString.parse) ?? []

    /// Every value of the query parameter `name` (decoded), in order.
    func queryValues(_ name: String) -> [String] {
        self.queryParameters.compactMap { $0.name == name ? $0.value : nil }
    }

    /// The described body; nil when the payload has none (omitted, or only method and url are known).
    lazy var body: String? = self.root?["body"]?.string

    /// The body parsed as JSON; nil when it is absent, empty or not JSON.
    lazy var bodyJSON: JSONValue? = self.body.flatMap(Self.parseJSON)

    // MARK: - Helpers

    static func validateHeaders(_ headers: JSONValue?) throws(PayloadError) {
        guard let headers, !headers.isNull else { return }
        guard headers.kind == .array else { throw PayloadError("\"headers\" must be a list of objects") }
        for (index, header) in headers.elements.enumerated() {
            guard header.kind == .object else { throw PayloadError("headers[\(index)] must be an object") }
            for member in header.members where member.value.kind != .string {
                throw PayloadError("headers[\(index)].\(member.key) must be a string")
            }
        }
    }

    /// `[{"name":"value"},...]` into lines; an object with several members gives several lines.
    static func decodeHeaders(_ headers: JSONValue?) -> [Header] {
        guard let headers, headers.kind == .array else { return [] }
        var decoded: [Header] = []
        decoded.reserveCapacity(headers.count)
        for header in headers.elements {
            for member in header.members {
                let value = member.value.string ?? member.value.rawText
                decoded.append(
                    Header(name: member.key, value: value, lowercasedName: HTTPSyntax.lowercasedASCII(member.key))
                )
            }
        }
        return decoded
    }

    static func parseJSON(_ text: String) -> JSONValue? {
        guard !text.isEmpty, let document = try? JSONParser.parse(ByteBuffer(string: text)) else { return nil }
        return document.root
    }

    /// `scheme://host:port/path?query` into origin, path, query and host; an origin-form url (`/path?q`)
    /// has an empty origin and host. A fragment is dropped. Scans UTF-8 bytes (this runs on every call).
    static func split(_ url: String) -> (origin: Substring, path: Substring, query: Substring?, host: String) {
        let utf8 = url.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "#")) ?? utf8.endIndex
        var rest = utf8.startIndex
        var origin = Substring(url)[rest..<rest]
        var host = ""
        // `scheme://`: a colon before any `/`, followed by `//`.
        if let colon = utf8[..<end].firstIndex(where: { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }),
            utf8[colon] == UInt8(ascii: ":"),
            utf8[colon...].starts(with: "://".utf8)
        {
            let authorityStart = utf8.index(colon, offsetBy: 3)
            let authorityEnd =
                utf8[authorityStart..<end].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? end
            origin = Substring(url)[utf8.startIndex..<authorityEnd]
            host = Self.hostName(Substring(url)[authorityStart..<authorityEnd])
            rest = authorityEnd
        }
        let queryStart = utf8[rest..<end].firstIndex(of: UInt8(ascii: "?"))
        var path = Substring(url)[rest..<(queryStart ?? end)]
        if path.isEmpty { path = "/" }
        var query: Substring?
        if let queryStart {
            query = Substring(url)[utf8.index(after: queryStart)..<end]
        }
        return (origin, path, query, host)
    }

    /// The host of an authority, lower-cased, without userinfo, port or IPv6 brackets.
    static func hostName(_ authority: Substring) -> String {
        let utf8 = authority.utf8
        var start = utf8.startIndex
        if let at = utf8.lastIndex(of: UInt8(ascii: "@")) { start = utf8.index(after: at) }
        if utf8[start...].first == UInt8(ascii: "["), let close = utf8[start...].firstIndex(of: UInt8(ascii: "]")) {
            return HTTPSyntax.lowercasedASCII(String(authority[utf8.index(after: start)..<close]))
        }
        let end = utf8[start...].firstIndex(of: UInt8(ascii: ":")) ?? utf8.endIndex
        return HTTPSyntax.lowercasedASCII(String(authority[start..<end]))
    }
}
