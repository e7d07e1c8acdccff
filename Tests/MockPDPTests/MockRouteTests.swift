import Testing

@testable import MockPDP

/// Which requests the mock treats as sideband calls, and who may call.
@Suite struct MockRouteTests {
    @Test func routesSidebandPathsWithAnyPrefixAndQuery() {
        #expect(MockRoute(method: .POST, uri: "/sideband/request") == .sideband(.request))
        #expect(MockRoute(method: .POST, uri: "/a/b/sideband/response?x=1") == .sideband(.response))
        #expect(MockRoute(method: .POST, uri: "/xsideband/request") == .notFound)
        #expect(MockRoute(method: .POST, uri: "/sideband/request/") == .notFound)
        #expect(MockRoute(method: .GET, uri: "/sideband/request") == .methodNotAllowed(allow: "POST"))
        #expect(MockRoute(method: .GET, uri: "/_mock/decisions?x") == .decisions)
        #expect(MockRoute(method: .POST, uri: "/_mock/health") == .methodNotAllowed(allow: "GET"))
    }

    @Test func acceptsAnySecretOfTheListAndEverythingWithoutOne() {
        #expect(GatewayToken.isAccepted(nil, accepted: []))
        #expect(GatewayToken.isAccepted("x", accepted: []))
        #expect(!GatewayToken.isAccepted(nil, accepted: ["a"]))
        #expect(!GatewayToken.isAccepted("ab", accepted: ["a", "abc"]))
        #expect(GatewayToken.isAccepted("abc", accepted: ["a", "abc"]))
    }
}
