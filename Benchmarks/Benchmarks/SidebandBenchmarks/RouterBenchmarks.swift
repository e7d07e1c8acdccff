import Benchmark
import GatewayRouter
import NIOHTTP1

/// NIO's header storage seen through the router's lookup without a copy, as the gateway adapts it.
private struct RoutingHeaders: RouteHeaderLookup {
    let headers: HTTPHeaders

    func routeHeaderValues(_ lowercasedName: String) -> [String] {
        self.headers[lowercasedName]
    }
}

/// A table of 50 routes in the proportions of a real Kong configuration: 30 services by path prefix (each
/// under `/api/v1` and `/api/v2`), 8 tenants by host, 2 wildcard hosts, 4 method-restricted routes, 2 header
/// routes (a canary and a case-insensitive regex) and 4 regex paths. Kong's priorities put every route with
/// two categories, and the regex paths, ahead of the plain prefixes, so a typical request is checked against
/// them first.
private let routeSpecs: [RouteSpec] = {
    var specs: [RouteSpec] = []
    for area in 0..<30 {
        specs.append(RouteSpec(index: specs.count, paths: ["/api/v1/area\(area)", "/api/v2/area\(area)"]))
    }
    for tenant in 0..<8 {
        specs.append(RouteSpec(index: specs.count, hosts: ["tenant\(tenant).example.com"], paths: ["/"]))
    }
    specs.append(RouteSpec(index: specs.count, hosts: ["*.internal.example.com"], paths: ["/"]))
    specs.append(RouteSpec(index: specs.count, hosts: ["admin.*"], paths: ["/admin"]))
    for (offset, method) in ["GET", "POST", "PUT", "DELETE"].enumerated() {
        specs.append(RouteSpec(index: specs.count, methods: [method], paths: ["/api/v1/bulk\(offset)"]))
    }
    specs.append(RouteSpec(index: specs.count, paths: ["/api/v1"], headers: [(name: "x-canary", values: ["true"])]))
    specs.append(
        RouteSpec(index: specs.count, paths: ["/api/v1"], headers: [(name: "x-version", values: ["~*^beta"])])
    )
    specs.append(RouteSpec(index: specs.count, paths: [#"~/orders/(?<id>\d+)/items$"#], regexPriority: 10))
    specs.append(RouteSpec(index: specs.count, paths: [#"~/users/(?<user>[^/]+)/profile$"#]))
    specs.append(RouteSpec(index: specs.count, methods: ["GET"], paths: [#"~/reports/\d{4}-\d{2}$"#]))
    specs.append(RouteSpec(index: specs.count, paths: [#"~/files/.+\.(pdf|png)$"#]))
    return specs
}()

private let benchmarkRouter: Router = {
    do {
        return try Router(routes: routeSpecs)
    } catch {
        fatalError("the benchmark's route table must compile: \(error)")
    }
}()

/// A request to `path` with the typical 10 headers, on an https listener.
private func routeRequest(_ method: String, _ path: String) -> RouteRequest<RoutingHeaders> {
    RouteRequest(
        method: method,
        host: "api.example.com",
        port: 443,
        path: path,
        headers: RoutingHeaders(headers: Fixtures.requestHeaders)
    )
}

/// Paths for `RequestPath.normalize`: one already normal (the common case, returned as is), one with an
/// empty segment, dot segments and escapes of unreserved characters.
private let cleanPath = "/api/v1/area17/items/42"
private let untidyPath = "/api/v1/./area17//items/%34%32/../42"

extension Benchmark {
    static func registerRouter() {
        Benchmark("Router.match.prefix") { benchmark in
            let router = benchmarkRouter
            let request = routeRequest("GET", "/api/v1/area17/items/42")
            for _ in benchmark.scaledIterations {
                blackHole(router.match(request))
            }
        }

        Benchmark("Router.match.regexWithCapture") { benchmark in
            let router = benchmarkRouter
            let request = routeRequest("GET", "/orders/12345/items")
            for _ in benchmark.scaledIterations {
                blackHole(router.match(request))
            }
        }

        // A 404: every candidate is tried.
        Benchmark("Router.match.noRoute") { benchmark in
            let router = benchmarkRouter
            let request = routeRequest("GET", "/nothing/here")
            for _ in benchmark.scaledIterations {
                blackHole(router.match(request))
            }
        }

        Benchmark("RequestPath.normalize.clean") { benchmark in
            let path = cleanPath
            for _ in benchmark.scaledIterations {
                blackHole(RequestPath.normalize(path))
            }
        }

        Benchmark("RequestPath.normalize.untidy") { benchmark in
            let path = untidyPath
            for _ in benchmark.scaledIterations {
                blackHole(RequestPath.normalize(path))
            }
        }
    }
}
