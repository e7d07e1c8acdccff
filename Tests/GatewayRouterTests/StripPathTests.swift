import Testing

@testable import GatewayRouter

@Suite("Router: strip_path postfix")
struct StripPathTests {
    @Test func strippingPrefixRouteReturnsTheRestOfThePath() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/orders"])])
        #expect(router.match(testRequest("/orders/17"))?.strippedPostfix == "/17")
        #expect(router.match(testRequest("/orders"))?.strippedPostfix == "")
        #expect(router.match(testRequest("/orders/"))?.strippedPostfix == "/")
        #expect(router.match(testRequest("/ordersX"))?.strippedPostfix == "X")
    }

    @Test func routeThatDoesNotStripHasNoPostfix() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/orders"], stripPath: false)])
        let match = try #require(router.match(testRequest("/orders/17")))
        #expect(match.strippedPostfix == nil)
    }

    @Test func postfixIsSanitisedLikeKong() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/foo"])])
        #expect(router.match(testRequest("/foo."))?.strippedPostfix == "")
        #expect(router.match(testRequest("/foo.."))?.strippedPostfix == "")
        #expect(router.match(testRequest("/foo./x"))?.strippedPostfix == "x")
        #expect(router.match(testRequest("/foo../x"))?.strippedPostfix == "x")
        #expect(router.match(testRequest("/foo.../x"))?.strippedPostfix == ".../x")
    }

    @Test func regexRouteStripsTheWholeMatch() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["~/v\\d+"])])
        let match = try #require(router.match(testRequest("/v2/users")))
        #expect(match.strippedPostfix == "/users")
        #expect(match.captures.isEmpty)
        #expect(router.match(testRequest("/v10"))?.strippedPostfix == "")
    }

    @Test func regexRouteWithCapturesStripsAndCaptures() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["~/tenants/(?<tenant>[^/]+)"])])
        let match = try #require(router.match(testRequest("/tenants/acme/orders")))
        #expect(match == RouteMatch(routeIndex: 0, strippedPostfix: "/orders", captures: ["tenant": "acme"]))
    }

    @Test func strippingRouteWithoutPathsDropsOnlyTheLeadingSlash() throws {
        let router = try Router(routes: [RouteSpec(index: 0, hosts: ["example.com"])])
        #expect(router.match(testRequest("/a/b"))?.strippedPostfix == "a/b")
        #expect(router.match(testRequest("/"))?.strippedPostfix == "")
    }

    @Test(arguments: [
        ("/foo/bar", 4, "/bar"),
        ("/foo", 4, ""),
        ("/foo", 10, ""),
        ("/foo.", 4, ""),
        ("/foo..", 4, ""),
        ("/foo./a", 4, "a"),
        ("/foo../a", 4, "a"),
        ("/foo../../a", 4, "../a"),
        ("/foo", 0, "/foo"),
    ])
    func postfixDropsBytesThenSanitises(path: String, count: Int, expected: String) {
        #expect(StripPath.postfix(of: path, droppingBytes: count) == expected)
    }
}
