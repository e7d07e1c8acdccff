import GatewayRouter
import Testing

/// One row of Kong's path_handling v0 table: a service path, a route, a request and the upstream path.
struct JoinCase: Sendable, CustomTestStringConvertible {
    var servicePath: String?
    var routePath: String
    var stripPath: Bool
    var request: String
    var expected: String

    init(_ servicePath: String?, _ routePath: String, strip: Bool, _ request: String, _ expected: String) {
        self.servicePath = servicePath
        self.routePath = routePath
        self.stripPath = strip
        self.request = request
        self.expected = expected
    }

    var testDescription: String {
        "service \(servicePath ?? "nil"), route \(routePath) strip \(stripPath), \(request) → \(expected)"
    }
}

@Suite("UpstreamPath.join (Kong path_handling v0)")
struct UpstreamPathTests {
    @Test(arguments: [
        // Service path without a trailing slash.
        JoinCase("/s", "/fv0", strip: false, "/fv0req", "/s/fv0req"),
        JoinCase("/s", "/fv0", strip: true, "/fv0req", "/s/req"),
        JoinCase("/s", "/fv0", strip: true, "/fv0/req", "/s/req"),
        JoinCase("/api", "/orders", strip: true, "/orders", "/api"),
        JoinCase("/api", "/orders", strip: true, "/orders/", "/api/"),
        JoinCase("/api", "/orders", strip: true, "/orders/17", "/api/17"),
        JoinCase("/api", "/orders", strip: false, "/orders/17", "/api/orders/17"),
        JoinCase("/api", "/", strip: false, "/", "/api"),
        JoinCase("/api", "/", strip: true, "/", "/api"),
        // Service path with a trailing slash.
        JoinCase("/s/", "/tv0/", strip: true, "/tv0/req", "/s/req"),
        JoinCase("/s/", "/tv0", strip: true, "/tv0", "/s"),
        JoinCase("/s/", "/tv0", strip: true, "/tv0/", "/s/"),
        JoinCase("/s/", "/tv0", strip: true, "/tv0/req", "/s/req"),
        JoinCase("/s/", "/tv0", strip: true, "/tv0req", "/s/req"),
        JoinCase("/s/", "/tv0/", strip: true, "/tv0/", "/s/"),
        JoinCase("/s/", "/tv0", strip: false, "/tv0/req", "/s/tv0/req"),
        // No service path, or "/": the base is "/".
        JoinCase(nil, "/orders", strip: true, "/orders/17", "/17"),
        JoinCase(nil, "/orders", strip: true, "/orders", "/"),
        JoinCase(nil, "/orders", strip: true, "/orders/", "/"),
        JoinCase("", "/orders", strip: true, "/ordersX", "/X"),
        JoinCase("/", "/orders", strip: false, "/orders/17", "/orders/17"),
        JoinCase("/", "/", strip: true, "/", "/"),
        JoinCase("/", "/", strip: true, "/a/b", "/a/b"),
        JoinCase(nil, "~/v\\d+", strip: true, "/v1/users", "/users"),
    ])
    func joinsServicePathAndRequestAsKongV0(row: JoinCase) throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: [row.routePath], stripPath: row.stripPath)])
        let match = try #require(router.match(testRequest(row.request)))
        #expect(UpstreamPath.join(servicePath: row.servicePath, requestPath: row.request, match: match) == row.expected)
    }

    @Test func routeWithoutPathsForwardsThePathWhetherItStripsOrNot() throws {
        for strip in [true, false] {
            let router = try Router(routes: [RouteSpec(index: 0, hosts: ["example.com"], stripPath: strip)])
            for (service, request, expected) in [
                ("/api", "/a/b/", "/api/a/b/"), ("/api/", "/a", "/api/a"), (nil, "/", "/"),
            ] {
                let match = try #require(router.match(testRequest(request)))
                #expect(UpstreamPath.join(servicePath: service, requestPath: request, match: match) == expected)
            }
        }
    }
}
