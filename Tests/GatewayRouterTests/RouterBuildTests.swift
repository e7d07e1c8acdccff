import GatewayRouter
import Testing

@Suite("Router: refusing routes that cannot work")
struct RouterBuildTests {
    @Test func regexPathThatDoesNotCompileIsNamed() throws {
        let error = try #require(
            buildError([RouteSpec(index: 0), RouteSpec(index: 3, paths: ["/ok", "~/(unclosed"])])
        )
        #expect(error.code == .invalidPathRegex)
        #expect(error.routeIndex == 3)
        #expect(error.value == "~/(unclosed")
        #expect(error.description.contains("route 3"))
        #expect(error.shortDescription == "invalid_path_regex")
    }

    @Test(arguments: ["", "orders", "/%zz", "/a%00"])
    func prefixPathThatIsNotValidIsRefused(path: String) throws {
        let error = try #require(buildError([RouteSpec(index: 1, paths: [path])]))
        #expect(error.code == .invalidPath)
        #expect(error.value == path)
    }

    @Test func headerRegexThatDoesNotCompileIsRefused() throws {
        let error = try #require(buildError([RouteSpec(index: 0, headers: [(name: "x-a", values: ["ok", "~*(["])])]))
        #expect(error.code == .invalidHeaderRegex)
        #expect(error.value.contains("x-a"))
    }

    @Test func hostHeaderConditionIsRefused() throws {
        let error = try #require(buildError([RouteSpec(index: 0, headers: [(name: "Host", values: ["a.com"])])]))
        #expect(error.code == .hostHeader)
    }

    @Test(arguments: [
        "", "*", "a.*.com", "*.a.*", "*example.com", "example.com:", "example.com:abc", "example.com:70000",
    ])
    func malformedHostIsRefused(host: String) throws {
        let error = try #require(buildError([RouteSpec(index: 0, hosts: [host])]))
        #expect(error.code == .invalidHost)
    }

    @Test func wellFormedRoutesBuild() {
        let routes = [
            RouteSpec(
                index: 0,
                methods: ["GET"],
                hosts: ["example.com", "*.example.com", "example.*", "example.com:8000", "[::1]:8000", "::1"],
                paths: ["/", "~/(?P<python>style)", "~/(?<swift>style)"],
                headers: [(name: "x-a", values: ["1", "~*^2$"]), (name: "X-A", values: ["3"])],
                snis: ["example.com.", "*.example.com"]
            )
        ]
        #expect(buildError(routes) == nil)
    }

    @Test func repeatedHeaderNamesMergeIntoOneCondition() throws {
        let router = try Router(routes: [
            RouteSpec(index: 0, headers: [(name: "x-a", values: ["1"]), (name: "X-A", values: ["2"])]),
            RouteSpec(index: 1, headers: [(name: "x-a", values: ["1"]), (name: "x-b", values: ["2"])]),
        ])
        // Route 0 has one header name (priority as such) and accepts either value.
        #expect(router.match(testRequest(headers: [("x-a", "2")]))?.routeIndex == 0)
        #expect(router.match(testRequest(headers: [("x-a", "1"), ("x-b", "2")]))?.routeIndex == 1)
    }
}
