/// Access to a request's headers for route matching.
///
/// Generic (the router is specialised for the conforming type) so that no existential is used per request;
/// the gateway conforms NIO's `HTTPHeaders` to it. Only called for routes that have ``RouteSpec/headers``.
public protocol RouteHeaderLookup {
    /// Every value of the header (name given lower-case), in order; a header line with a comma list is one
    /// value. Empty when the header is absent.
    func routeHeaderValues(_ lowercasedName: String) -> [String]
}

/// What the router looks at in a request.
public struct RouteRequest<Headers: RouteHeaderLookup> {
    /// The method as received (upper-case tokens normally); compared exactly.
    public var method: String

    /// The host the client addressed, lower-case, without port; `""` when unknown (matches no host).
    public var host: String

    /// The listener port the client connected to; hosts written with a port match only this port.
    public var port: Int

    /// The request path, already normalised by ``RequestPath/normalize(_:)``, without query.
    public var path: String

    /// The TLS server name the client sent. `nil` for a plain-HTTP connection: ``RouteSpec/snis`` is then
    /// ignored, as Kong does. For a TLS connection whose client sent no server name, pass `""`, which
    /// matches no SNI (so a route with SNIs does not match, as in Kong).
    public var sni: String?

    /// The request's headers.
    public var headers: Headers

    public init(method: String, host: String, port: Int, path: String, sni: String? = nil, headers: Headers) {
        self.method = method
        self.host = host
        self.port = port
        self.path = path
        self.sni = sni
        self.headers = headers
    }
}

extension RouteRequest: Sendable where Headers: Sendable {}
