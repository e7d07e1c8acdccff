/// One route as the router needs it: the matching fields of a Kong route, already read from the
/// configuration by the gateway. Kong's semantics (router flavour `traditional_compatible`) apply to every
/// field; an empty list means the category is not used to match (anything passes) and does not count
/// towards the route's priority.
public struct RouteSpec: Sendable {
    /// The gateway's own index of the route, returned in ``RouteMatch/routeIndex``. The router never
    /// interprets it; ties between routes of equal priority go by position in the array given to
    /// ``Router/init(routes:)``, so pass routes in configuration order.
    public var index: Int

    /// Accepted methods, upper-case, compared exactly with the request's method (HTTP methods are
    /// case-sensitive). Empty: any method.
    public var methods: [String]

    /// Accepted hosts: `example.com`, `*.example.com` (any name ending in `.example.com`, not
    /// `example.com` itself), `example.*` (any name starting with `example.`), optionally with `:port`,
    /// which then must equal ``RouteRequest/port``. Compared lower-case. Empty: any host.
    public var hosts: [String]

    /// Prefix paths, or regexes written `~regex`. A prefix is normalised with ``RequestPath/normalize(_:)``
    /// when the router is built and matches any request path that starts with it (plain string prefix, as
    /// Kong does, so `/foo` also matches `/foobar`). A regex is anchored at the start of the path (Kong
    /// prepends `^`). Empty: any path.
    public var paths: [String]

    /// Required headers: for each name (lower-case), one of the values must match one of the request's
    /// values of that header. A value `~*regex` is a case-insensitive, unanchored regex search; any other
    /// value is compared case-insensitively (ASCII) with the whole header value. Empty: headers are not
    /// looked at. `host` is not allowed here (Kong routes on it with ``hosts``).
    public var headers: [(name: String, values: [String])]

    /// Accepted TLS server names (exact, or wildcard like ``hosts``; a trailing `.` is ignored). As in Kong,
    /// they only constrain requests that arrived over TLS: a plain-HTTP request (``RouteRequest/sni`` nil)
    /// passes this category. Empty: any.
    public var snis: [String]

    /// Kong's `regex_priority`, default 0: among regex routes of otherwise equal weight, higher goes
    /// first. Ignored for routes whose paths are prefixes. Clamped to `0...UInt32.max` because it occupies
    /// a 32-bit field of the priority (Kong lets negative values overflow into the higher fields, which
    /// makes such a route outrank everything; we order them like 0 instead).
    public var regexPriority: Int

    /// Kong's `strip_path`, default true: the matched prefix (or the text a path regex matched) is removed
    /// from the path sent upstream.
    public var stripPath: Bool

    public init(
        index: Int,
        methods: [String] = [],
        hosts: [String] = [],
        paths: [String] = [],
        headers: [(name: String, values: [String])] = [],
        snis: [String] = [],
        regexPriority: Int = 0,
        stripPath: Bool = true
    ) {
        self.index = index
        self.methods = methods
        self.hosts = hosts
        self.paths = paths
        self.headers = headers
        self.snis = snis
        self.regexPriority = regexPriority
        self.stripPath = stripPath
    }
}
