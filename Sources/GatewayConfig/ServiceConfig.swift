/// Protocol spoken to an upstream service. Kong's other protocols (`grpc`, `tcp`, `ws`, ...) are refused
/// when loading, so the gateway never meets them.
public enum UpstreamScheme: String, Sendable, Equatable {
    case http
    case https
}

/// A Kong service: the upstream that matched requests are proxied to.
public struct ServiceConfig: Sendable, Equatable {
    /// Kong `name`; `nil` when the file gives none. Unique among services; used in metrics labels and by
    /// top-level routes and plugins that point at the service.
    public var name: String?
    /// From `url` or `protocol`. Default `.http`, as Kong.
    public var scheme: UpstreamScheme
    /// Upstream host name or address, from `url` or `host` (required). IPv6 addresses have no brackets.
    public var host: String
    /// Upstream port, from `url` or `port`. Default 80 for http and 443 for https, as Kong.
    public var port: Int
    /// Path prefixed to the upstream request path (`path`); `nil` when absent. Always starts with `/`.
    public var path: String?
    /// Time to establish the upstream connection (`connect_timeout`, ms). Default 60000, as Kong.
    public var connectTimeoutMs: Int
    /// Longest wait between two reads from the upstream (`read_timeout`, ms). Default 60000, as Kong.
    public var readTimeoutMs: Int
    /// Longest wait between two writes to the upstream (`write_timeout`, ms). Default 60000, as Kong.
    public var writeTimeoutMs: Int
    /// Further attempts after a connection failure (`retries`). Default 5, as Kong; never after the request
    /// was sent.
    public var retries: Int
    /// Verify the upstream's TLS certificate for https services (`tls_verify`). Default `false`: Kong does
    /// not verify upstream certificates unless told to.
    public var tlsVerify: Bool
    /// `enabled`. Default `true`. Routes of a disabled service are not routed (Kong 3 behaviour).
    public var enabled: Bool
    /// Where the service is in the file, e.g. `services[0]`, for messages and logs.
    public var location: String

    /// A service with Kong's defaults; `port` defaults by `scheme` (80 / 443).
    public init(
        name: String? = nil,
        scheme: UpstreamScheme = .http,
        host: String,
        port: Int? = nil,
        path: String? = nil,
        connectTimeoutMs: Int = 60000,
        readTimeoutMs: Int = 60000,
        writeTimeoutMs: Int = 60000,
        retries: Int = 5,
        tlsVerify: Bool = false,
        enabled: Bool = true,
        location: String = ""
    ) {
        self.name = name
        self.scheme = scheme
        self.host = host
        self.port = port ?? Self.defaultPort(for: scheme)
        self.path = path
        self.connectTimeoutMs = connectTimeoutMs
        self.readTimeoutMs = readTimeoutMs
        self.writeTimeoutMs = writeTimeoutMs
        self.retries = retries
        self.tlsVerify = tlsVerify
        self.enabled = enabled
        self.location = location
    }

    /// 80 for http, 443 for https.
    public static func defaultPort(for scheme: UpstreamScheme) -> Int {
        switch scheme {
        case .http: return 80
        case .https: return 443
        }
    }
}
