import GatewayRouter
import Testing

@Suite("Router: matching by category")
struct RouterMatchingTests {
    @Test func noRouteMatchedGivesNil() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/orders"])])
        #expect(router.match(testRequest("/payments")) == nil)
        #expect(try Router(routes: []).match(testRequest("/")) == nil)
    }

    @Test func routeWithoutConditionsMatchesEverything() throws {
        let router = try Router(routes: [RouteSpec(index: 4)])
        #expect(router.match(testRequest("/anything", method: "PATCH", host: ""))?.routeIndex == 4)
    }

    @Test func prefixPathIsAPlainStringPrefix() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/foo"])])
        #expect(router.match(testRequest("/foo"))?.routeIndex == 0)
        #expect(router.match(testRequest("/foo/bar"))?.routeIndex == 0)
        #expect(router.match(testRequest("/foobar"))?.routeIndex == 0)
        #expect(router.match(testRequest("/fo")) == nil)
        #expect(router.match(testRequest("/bar/foo")) == nil)
    }

    @Test func prefixPathIsNormalisedWhenTheRouterIsBuilt() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/caf%c3%a9/%7eme"])])
        #expect(router.match(testRequest("/caf%C3%A9/~me/x"))?.routeIndex == 0)
    }

    @Test func anyOfSeveralPathsMatches() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["/a", "/bb", "~/c\\d"])])
        #expect(router.match(testRequest("/a/1"))?.routeIndex == 0)
        #expect(router.match(testRequest("/bb"))?.routeIndex == 0)
        #expect(router.match(testRequest("/c7"))?.routeIndex == 0)
        #expect(router.match(testRequest("/d")) == nil)
    }

    @Test func methodMustBeOneOfTheRoutesExactly() throws {
        let router = try Router(routes: [RouteSpec(index: 0, methods: ["GET", "POST"])])
        #expect(router.match(testRequest(method: "GET"))?.routeIndex == 0)
        #expect(router.match(testRequest(method: "POST"))?.routeIndex == 0)
        #expect(router.match(testRequest(method: "DELETE")) == nil)
        #expect(router.match(testRequest(method: "get")) == nil)
    }

    @Test func exactHostMatchesOnlyThatName() throws {
        let router = try Router(routes: [RouteSpec(index: 0, hosts: ["Example.COM"])])
        #expect(router.match(testRequest(host: "example.com"))?.routeIndex == 0)
        #expect(router.match(testRequest(host: "www.example.com")) == nil)
        #expect(router.match(testRequest(host: "example.org")) == nil)
        #expect(router.match(testRequest(host: "")) == nil)
    }

    @Test func leadingWildcardHostMatchesSubdomainsOnly() throws {
        let router = try Router(routes: [RouteSpec(index: 0, hosts: ["*.example.com"])])
        #expect(router.match(testRequest(host: "a.example.com"))?.routeIndex == 0)
        #expect(router.match(testRequest(host: "a.b.example.com"))?.routeIndex == 0)
        #expect(router.match(testRequest(host: "example.com")) == nil)
        #expect(router.match(testRequest(host: "aexample.com")) == nil)
    }

    @Test func trailingWildcardHostMatchesAnyEnding() throws {
        let router = try Router(routes: [RouteSpec(index: 0, hosts: ["example.*"])])
        #expect(router.match(testRequest(host: "example.org"))?.routeIndex == 0)
        #expect(router.match(testRequest(host: "example.co.uk"))?.routeIndex == 0)
        #expect(router.match(testRequest(host: "www.example.org")) == nil)
        #expect(router.match(testRequest(host: "examples.org")) == nil)
    }

    @Test func hostWithPortMatchesOnlyThatListenerPort() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, hosts: ["example.com:8443"]),
            RouteSpec(index: 1, hosts: ["example.com"]),
        ])
        #expect(router.match(testRequest(host: "example.com", port: 8443))?.routeIndex == 0)
        #expect(router.match(testRequest(host: "example.com", port: 8000))?.routeIndex == 1)

        let wildcard = try Router(routes: [RouteSpec(index: 0, hosts: ["*.example.org:8443"])])
        #expect(wildcard.match(testRequest(host: "a.example.org", port: 8443))?.routeIndex == 0)
        #expect(wildcard.match(testRequest(host: "a.example.org", port: 8000)) == nil)
    }

    @Test func headerValueMatchesCaseInsensitivelyAndWholly() throws {
        let router = try Router(routes: [RouteSpec(index: 0, headers: [(name: "x-version", values: ["v1", "V2"])])])
        #expect(router.match(testRequest(headers: [("X-Version", "V1")]))?.routeIndex == 0)
        #expect(router.match(testRequest(headers: [("x-version", "v2")]))?.routeIndex == 0)
        #expect(router.match(testRequest(headers: [("x-version", "v3"), ("x-version", "v1")]))?.routeIndex == 0)
        #expect(router.match(testRequest(headers: [("x-version", "v10")])) == nil)
        #expect(router.match(testRequest(headers: [("x-version", "v1, v2")])) == nil)
        #expect(router.match(testRequest(headers: [("x-other", "v1")])) == nil)
        #expect(router.match(testRequest()) == nil)
    }

    @Test func headerRegexIsACaseInsensitiveSearch() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, headers: [(name: "x-channel", values: ["~*^beta-\\d+$"])]),
            RouteSpec(index: 1, headers: [(name: "user-agent", values: ["~*curl"])]),
        ])
        #expect(router.match(testRequest(headers: [("x-channel", "BETA-12")]))?.routeIndex == 0)
        #expect(router.match(testRequest(headers: [("x-channel", "beta-x")])) == nil)
        #expect(router.match(testRequest(headers: [("user-agent", "Mozilla (compatible; CURL/8)")]))?.routeIndex == 1)
        #expect(router.match(testRequest(headers: [("user-agent", "wget")])) == nil)
    }

    @Test func everyHeaderNameMustMatch() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, headers: [(name: "x-a", values: ["1"]), (name: "x-b", values: ["2"])])
        ])
        #expect(router.match(testRequest(headers: [("x-a", "1"), ("x-b", "2")]))?.routeIndex == 0)
        #expect(router.match(testRequest(headers: [("x-a", "1")])) == nil)
        #expect(router.match(testRequest(headers: [("x-b", "2")])) == nil)
    }

    @Test func regexPathIsAnchoredAtTheStart() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["~/users/\\d+$"])])
        #expect(router.match(testRequest("/users/42"))?.routeIndex == 0)
        #expect(router.match(testRequest("/api/users/42")) == nil)
        #expect(router.match(testRequest("/users/42/x")) == nil)
    }

    /// Kong prepends `^` to the pattern text, so in `~/a|/b` only the first alternative is anchored.
    @Test func regexAnchorIsPrependedToThePatternTextAsKongDoes() throws {
        let router = try Router(routes: [RouteSpec(index: 0, paths: ["~/a|/b"])])
        #expect(router.match(testRequest("/x/b"))?.routeIndex == 0)
        #expect(router.match(testRequest("/x/a")) == nil)
    }

    @Test func regexPathReturnsItsNamedCaptures() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, paths: ["~/users/(?<user>\\d+)/orders/(?<order>[a-z]+)(?<rest>/.*)?"])
        ])
        let match = try #require(router.match(testRequest("/users/7/orders/abc")))
        #expect(match.captures == ["user": "7", "order": "abc"])
        let prefixMatch = try #require(
            try Router(routes: [RouteSpec(index: 0, paths: ["/users"])]).match(testRequest("/users/7"))
        )
        #expect(prefixMatch.captures.isEmpty)
    }

    @Test func sniConstrainsOnlyTLSRequests() throws {
        let router = try Router(routes: [RouteSpec(index: 0, snis: ["api.example.com", "*.example.org"])])
        #expect(router.match(testRequest(sni: "api.example.com"))?.routeIndex == 0)
        #expect(router.match(testRequest(sni: "API.example.com"))?.routeIndex == 0)
        #expect(router.match(testRequest(sni: "x.example.org"))?.routeIndex == 0)
        #expect(router.match(testRequest(sni: "other.example.com")) == nil)
        // TLS without a server name.
        #expect(router.match(testRequest(sni: "")) == nil)
        // Plain HTTP: Kong ignores SNIs.
        #expect(router.match(testRequest(sni: nil))?.routeIndex == 0)
    }

    @Test func everyCategoryOfARouteMustMatch() throws {
        let router = try Router(routes: [
            RouteSpec(
                index: 0,
                methods: ["POST"],
                hosts: ["api.example.com"],
                paths: ["/orders"],
                headers: [(name: "x-tenant", values: ["acme"])]
            )
        ])
        let good = testRequest("/orders", method: "POST", host: "api.example.com", headers: [("x-tenant", "acme")])
        #expect(router.match(good)?.routeIndex == 0)
        var wrongMethod = good
        wrongMethod.method = "GET"
        #expect(router.match(wrongMethod) == nil)
        var wrongHost = good
        wrongHost.host = "example.com"
        #expect(router.match(wrongHost) == nil)
        var wrongPath = good
        wrongPath.path = "/payments"
        #expect(router.match(wrongPath) == nil)
        var wrongHeader = good
        wrongHeader.headers = TestHeaders([("x-tenant", "other")])
        #expect(router.match(wrongHeader) == nil)
    }
}
