import GatewayRouter

/// Headers as an ordered list of lines, like the gateway's `HTTPHeaders`.
struct TestHeaders: RouteHeaderLookup, Sendable {
    var lines: [(name: String, value: String)]

    init(_ lines: [(name: String, value: String)] = []) {
        self.lines = lines
    }

    func routeHeaderValues(_ lowercasedName: String) -> [String] {
        lines.filter { $0.name.lowercased() == lowercasedName }.map(\.value)
    }
}

/// A request with the defaults most tests need: `GET http://example.com:8000/`.
func testRequest(
    _ path: String = "/",
    method: String = "GET",
    host: String = "example.com",
    port: Int = 8000,
    sni: String? = nil,
    headers: [(name: String, value: String)] = []
) -> RouteRequest<TestHeaders> {
    RouteRequest(method: method, host: host, port: port, path: path, sni: sni, headers: TestHeaders(headers))
}

/// The error building a router from `routes` throws, or `nil` when it builds.
func buildError(_ routes: [RouteSpec]) -> RouterError? {
    do {
        _ = try Router(routes: routes)
        return nil
    } catch {
        return error
    }
}
