public import NIOCore

/// A response the policy decided: a `/sideband/request` deny (SIDEBAND.md §3, the upstream is never
/// contacted) or a `/sideband/response` answer (§5). Both carry the same three things.
public struct PolicyResponse: Sendable, Equatable {
    /// `response_code`, 100...599.
    public var status: Int
    /// The answer's headers, one entry per value, names as the provider wrote them (HTTP names are
    /// case-insensitive); validated (token names, no CR/LF/NUL in values). Empty when absent.
    public var headers: [(name: String, value: String)]
    /// `body`; `""` when absent or `null`. An object or array `body` is taken as its JSON text (Kong's
    /// `response.exit` serialises a table body the same way).
    public var body: String

    public init(status: Int, headers: [(name: String, value: String)], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A `/sideband/request` deny.
public typealias DenyResponse = PolicyResponse

/// A `/sideband/request` allow (SIDEBAND.md §3): the request echoed back, possibly modified. Every field
/// is what the answer said; `RequestDiff` turns it into the changes to apply.
public struct AllowedRequest: Sendable {
    /// The complete new header list, names as written; nil when the answer had no `headers` (or `null`):
    /// then headers are left alone. (The plugin crashed on a missing list; we are lenient.)
    public var headers: [(name: String, value: String)]?
    /// `method`, validated as an HTTP token; nil when absent.
    public var method: String?
    /// `url`, validated as parseable (`scheme://host[:port][/path][?query]` or an origin-form path);
    /// nil when absent.
    public var url: String?
    /// `.none`: no `body` key; `.some(nil)`: `null`; `.some(text)`: a string.
    public var body: String??
    /// The raw JSON bytes of `state`, any JSON type (including `null`), nil when absent; echoed byte for
    /// byte in the response phase. A copy, not a slice of the answer: the answer (which echoes the whole
    /// request body) is not kept alive while the request is upstream.
    public var state: ByteBuffer?
    /// `source_ip` when it is a string. Changes are logged as unsupported, never applied.
    public var sourceIP: String?
    /// `source_port` as a number or a string of digits (the plugin sent a string, so its echo is one).
    public var sourcePort: Int?
    /// The raw JSON bytes of `client_certificate` (a copy), nil when absent.
    public var clientCertificate: ByteBuffer?

    public init(
        headers: [(name: String, value: String)]? = nil,
        method: String? = nil,
        url: String? = nil,
        body: String?? = .none,
        state: ByteBuffer? = nil,
        sourceIP: String? = nil,
        sourcePort: Int? = nil,
        clientCertificate: ByteBuffer? = nil
    ) {
        self.headers = headers
        self.method = method
        self.url = url
        self.body = body
        self.state = state
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.clientCertificate = clientCertificate
    }

    /// Names of the fields the policy changed that we do not apply (SIDEBAND.md §3: `source_ip`,
    /// `source_port`, `client_certificate`), for a warning log. A field absent from the answer is not a
    /// change. Certificates are compared as raw JSON bytes (the provider echoes what we sent).
    public func unsupportedChanges(
        sentSourceIP: String,
        sentSourcePort: Int,
        sentClientCertificate: ByteBuffer?
    ) -> [String] {
        var changed: [String] = []
        if let sourceIP, sourceIP != sentSourceIP { changed.append("source_ip") }
        if let sourcePort, sourcePort != sentSourcePort { changed.append("source_port") }
        if let clientCertificate, clientCertificate != sentClientCertificate { changed.append("client_certificate") }
        return changed
    }
}

/// The decision of a `/sideband/request` answer.
public enum RequestDecision: Sendable {
    /// A `response` object was present.
    case deny(DenyResponse)
    /// Anything else that is a valid answer.
    case allow(AllowedRequest)
}

/// A `/sideband/response` answer: what the client gets.
public typealias ResponseDecision = PolicyResponse
