import Testing

@testable import GatewayRouter

@Suite("Router: priority between routes")
struct RouterPriorityTests {
    @Test func longerPrefixWins() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["/a"]),
            RouteSpec(index: 1, paths: ["/a/b"]),
        ])
        #expect(router.match(testRequest("/a/b/c"))?.routeIndex == 1)
        #expect(router.match(testRequest("/a/c"))?.routeIndex == 0)
    }

    @Test func moreCategoriesWinOverALongerPath() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["/api/orders/long"]),
            RouteSpec(index: 1, hosts: ["example.com"], paths: ["/api"]),
        ])
        #expect(router.match(testRequest("/api/orders/long", host: "example.com"))?.routeIndex == 1)
        #expect(router.match(testRequest("/api/orders/long", host: "other.com"))?.routeIndex == 0)
    }

    @Test func plainHostWinsOverWildcardHost() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, hosts: ["*.example.com"], paths: ["/"]),
            RouteSpec(index: 1, hosts: ["api.example.com"], paths: ["/"]),
        ])
        #expect(router.match(testRequest(host: "api.example.com"))?.routeIndex == 1)
        #expect(router.match(testRequest(host: "www.example.com"))?.routeIndex == 0)
    }

    @Test func moreHeaderNamesWin() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, headers: [(name: "x-a", values: ["1"])]),
            RouteSpec(index: 1, headers: [(name: "x-a", values: ["1"]), (name: "x-b", values: ["2"])]),
        ])
        #expect(router.match(testRequest(headers: [("x-a", "1"), ("x-b", "2")]))?.routeIndex == 1)
        #expect(router.match(testRequest(headers: [("x-a", "1")]))?.routeIndex == 0)
    }

    @Test func regexPathWinsOverPrefixPathOfEqualWeight() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["/users/profile/settings"]),
            RouteSpec(index: 1, paths: ["~/users/\\w+"]),
        ])
        #expect(router.match(testRequest("/users/profile/settings"))?.routeIndex == 1)
    }

    @Test func higherRegexPriorityWins() throws {
        let low = try Router(routes: [
            RouteSpec(index: 0, paths: ["~/items/.*"], regexPriority: 0),
            RouteSpec(index: 1, paths: ["~/items/\\d+"], regexPriority: 10),
        ])
        #expect(low.match(testRequest("/items/5"))?.routeIndex == 1)
        #expect(low.match(testRequest("/items/x"))?.routeIndex == 0)

        let high = try Router(routes: [
            RouteSpec(index: 0, paths: ["~/items/.*"], regexPriority: 20),
            RouteSpec(index: 1, paths: ["~/items/\\d+"], regexPriority: 10),
        ])
        #expect(high.match(testRequest("/items/5"))?.routeIndex == 0)
    }

    @Test func regexPriorityIsIgnoredForPrefixPaths() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["/a"], regexPriority: 100),
            RouteSpec(index: 1, paths: ["/a/b"]),
        ])
        #expect(router.match(testRequest("/a/b"))?.routeIndex == 1)
    }

    @Test func equalPriorityKeepsConfigurationOrder() throws {
        let router = try Router(routes: [
            RouteSpec(index: 5, paths: ["/same"]),
            RouteSpec(index: 2, paths: ["/same"]),
            RouteSpec(index: 9, paths: ["~/same"]),
            RouteSpec(index: 3, paths: ["~/same"]),
        ])
        #expect(router.match(testRequest("/same"))?.routeIndex == 9)
        let prefixesOnly = try Router(routes: [
            RouteSpec(index: 5, paths: ["/same"]),
            RouteSpec(index: 2, paths: ["/same"]),
        ])
        #expect(prefixesOnly.match(testRequest("/same"))?.routeIndex == 5)
    }

    @Test func negativeRegexPriorityOrdersLikeZero() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["~/x"], regexPriority: -5),
            RouteSpec(index: 1, paths: ["~/x"], regexPriority: 0),
        ])
        #expect(router.match(testRequest("/x"))?.routeIndex == 0)
        #expect(RoutePriority.clampedRegexPriority(-5) == 0)
        #expect(RoutePriority.clampedRegexPriority(7) == 7)
        #expect(RoutePriority.clampedRegexPriority(Int.max) == UInt32.max)
    }

    /// Kong gives each prefix length of a route its own candidate, so a route's short path does not
    /// borrow the priority of its long one.
    @Test func pathsOfDifferentLengthsOfOneRouteGetSeparatePriorities() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["/a", "/a/b/c"]),
            RouteSpec(index: 1, paths: ["/a/b"]),
        ])
        #expect(router.match(testRequest("/a/b/c/d"))?.routeIndex == 0)
        #expect(router.match(testRequest("/a/b/x"))?.routeIndex == 1)
        #expect(router.match(testRequest("/a/x"))?.routeIndex == 0)
    }

    @Test func priorityFieldsSitWhereKongPutsThem() {
        let priority = RoutePriority(
            hasMethods: true,
            hosts: ["example.com"],
            headerCount: 2,
            hasSNIs: false,
            paths: .prefix(length: 4),
            regexPriority: 9
        )
        let expected: UInt64 = (4 << 61) | (1 << 60) | (2 << 52) | 4
        #expect(priority.rawValue == expected)

        let regex = RoutePriority(
            hasMethods: false,
            hosts: ["*.example.com"],
            headerCount: 300,
            hasSNIs: true,
            paths: .regex,
            regexPriority: 3
        )
        let expectedRegex: UInt64 = (4 << 61) | (255 << 52) | (1 << 51) | (3 << 19)
        #expect(regex.rawValue == expectedRegex)

        let bare = RoutePriority(
            hasMethods: false,
            hosts: [],
            headerCount: 0,
            hasSNIs: false,
            paths: .noPaths,
            regexPriority: 0
        )
        #expect(bare.rawValue == 0)
    }

    @Test func prefixLengthIsMaskedToItsField() {
        let priority = RoutePriority(
            hasMethods: false,
            hosts: [],
            headerCount: 0,
            hasSNIs: false,
            paths: .prefix(length: 0x80001),
            regexPriority: 0
        )
        let expected: UInt64 = (1 << 61) | 1
        #expect(priority.rawValue == expected)
    }
}
