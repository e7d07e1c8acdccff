/// A Kong route: which requests go to which service, and how the path is forwarded.
///
/// Values are normalised on loading (methods upper-case, hosts and header names lower-case) so the router
/// compares without folding case again. Matching itself is the router's job.
public struct RouteConfig: Sendable, Equatable {
    /// Kong `name`; `nil` when absent. Unique among all routes.
    public var name: String?
    /// Index in `GatewayConfiguration.services`; `nil` for a top-level route without `service`, which
    /// matches requests but has nowhere to send them (Kong answers 503).
    public var serviceIndex: Int?
    /// `protocols`. Default `["http", "https"]`, as Kong. Only `http` and `https` are accepted. A route
    /// with only `https` answers plain-http requests with `httpsRedirectStatusCode`.
    public var protocols: [String]
    /// `methods`, upper-cased. Default `[]`: any method.
    public var methods: [String]
    /// `hosts`, lower-cased; may carry a port (`example.com:8000`) or a wildcard (`*.example.com`,
    /// `example.*`). Default `[]`: any host.
    public var hosts: [String]
    /// `paths`: prefixes starting with `/`, or regexes starting with `~`. Default `[]`: any path.
    public var paths: [String]
    /// `headers`: lower-cased names to accepted values (a value `~*re` is a case-insensitive regex).
    /// Default `[:]`. Never contains `host` (Kong requires `hosts` for that).
    public var headers: [String: [String]]
    /// `snis`, lower-cased: TLS server names. Default `[]`. Only allowed when `protocols` has `https`.
    public var snis: [String]
    /// `strip_path`: remove the matched path prefix before proxying. Default `true`, as Kong.
    public var stripPath: Bool
    /// `preserve_host`: send the client's `Host` upstream instead of the service host. Default `false`.
    public var preserveHost: Bool
    /// `regex_priority`: order among regex paths (higher first). Default 0, as Kong.
    public var regexPriority: Int
    /// `https_redirect_status_code` for plain-http requests on https-only routes. Default 426, as Kong;
    /// one of 426, 301, 302, 307, 308.
    public var httpsRedirectStatusCode: Int
    /// `request_buffering`. Default `true`. Accepted for compatibility; informational only.
    public var requestBuffering: Bool
    /// `response_buffering`. Default `true`. Accepted for compatibility; informational only.
    public var responseBuffering: Bool
    /// Where the route is in the file: `services[0].routes[1]` or `routes[2]`.
    public var location: String

    /// A route with Kong's defaults.
    public init(
        name: String? = nil,
        serviceIndex: Int?,
        protocols: [String] = ["http", "https"],
        methods: [String] = [],
        hosts: [String] = [],
        paths: [String] = [],
        headers: [String: [String]] = [:],
        snis: [String] = [],
        stripPath: Bool = true,
        preserveHost: Bool = false,
        regexPriority: Int = 0,
        httpsRedirectStatusCode: Int = 426,
        requestBuffering: Bool = true,
        responseBuffering: Bool = true,
        location: String = ""
    ) {
        self.name = name
        self.serviceIndex = serviceIndex
        self.protocols = protocols
        self.methods = methods
        self.hosts = hosts
        self.paths = paths
        self.headers = headers
        self.snis = snis
        self.stripPath = stripPath
        self.preserveHost = preserveHost
        self.regexPriority = regexPriority
        self.httpsRedirectStatusCode = httpsRedirectStatusCode
        self.requestBuffering = requestBuffering
        self.responseBuffering = responseBuffering
        self.location = location
    }
}
