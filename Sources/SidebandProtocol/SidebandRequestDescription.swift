public import NIOCore

/// The client request as the gateway parsed it, described to `/sideband/request` (SIDEBAND.md §2).
///
/// Holds views of what the gateway already has (its header storage, the body buffer, the query substring)
/// rather than copies: building one costs no allocation, and `SidebandPayloadWriter.writeRequest` writes
/// it straight into the outgoing buffer.
public struct SidebandRequestDescription<Headers: Sequence> where Headers.Element == (name: String, value: String) {
    /// The client's address as text (IPv4 or IPv6), already resolved through `trusted_ips`.
    public var sourceIP: String
    /// The client's TCP port, written as a JSON number (the plugin sent a string).
    public var sourcePort: Int
    /// The request method as received.
    public var method: String
    /// `http` or `https`: the listener's scheme, or a trusted `X-Forwarded-Proto`.
    public var scheme: String
    /// Lower-cased host without port. An IPv6 literal may come with or without brackets; the url gets
    /// them either way.
    public var host: String
    /// The port the client connected to; always written into the url, even 80 or 443.
    public var port: Int
    /// The path, already normalised by the gateway (SIDEBAND.md §2 `url`); written as is.
    public var path: String
    /// The raw query, verbatim. `nil` or empty: no `?` in the url.
    public var query: Substring?
    /// `"1.1"` or `"1.0"`.
    public var httpVersion: String
    /// Header lines in arrival order. Names are written lower-cased and values verbatim; the writer drops
    /// names containing `_` (SIDEBAND.md §2), so callers can pass their header storage unfiltered.
    public var headers: Headers
    /// The body (see `SidebandBody` for the UTF-8 precondition).
    public var body: SidebandBody
    /// The client certificate as one complete JSON object (JWK plus `x5c`), written as is; `nil` writes
    /// no `client_certificate` key.
    public var clientCertificate: ByteBuffer?

    public init(
        sourceIP: String,
        sourcePort: Int,
        method: String,
        scheme: String,
        host: String,
        port: Int,
        path: String,
        query: Substring?,
        httpVersion: String,
        headers: Headers,
        body: SidebandBody,
        clientCertificate: ByteBuffer?
    ) {
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.method = method
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
        self.query = query
        self.httpVersion = httpVersion
        self.headers = headers
        self.body = body
        self.clientCertificate = clientCertificate
    }
}

extension SidebandRequestDescription: Sendable where Headers: Sendable {}
