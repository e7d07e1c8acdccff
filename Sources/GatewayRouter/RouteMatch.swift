/// The router's answer for a request.
public struct RouteMatch: Sendable, Equatable {
    /// ``RouteSpec/index`` of the route that matched.
    public var routeIndex: Int

    /// The request path with the matched part removed, when the route strips (Kong's "request postfix"),
    /// sanitised like Kong: a postfix of `.` or `..` becomes `""`, and one leading `./` or `../` is dropped.
    /// For a stripping route without paths, the path without its leading `/`. `nil` when
    /// ``RouteSpec/stripPath`` is false. Feed it to ``UpstreamPath/join(servicePath:requestPath:match:)``.
    public var strippedPostfix: String?

    /// Named captures of a regex path (for later plugins); groups that did not take part in the match are
    /// left out. Empty for prefix paths and routes without paths.
    public var captures: [String: String]

    public init(routeIndex: Int, strippedPostfix: String?, captures: [String: String] = [:]) {
        self.routeIndex = routeIndex
        self.strippedPostfix = strippedPostfix
        self.captures = captures
    }
}
