import Testing
import TestSupport

/// Kong routing as seen from the outside: the echo upstream tells which path, host and service got the
/// request.
@Suite struct RoutingTests {
    @Test func stripPathRemovesTheMatchedPrefixAndJoinsTheServicePath() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services:
              - name: api
                url: http://127.0.0.1:\(port)/api
                routes:
                  - {name: strip, paths: ["/orders"]}
                  - {name: keep, paths: ["/items"], strip_path: false}
              - name: root
                url: http://127.0.0.1:\(port)
                routes:
                  - {name: rootstrip, paths: ["/r"]}
            """
        }) { gateway, _ in
            let cases: [(String, String)] = [
                ("/orders/17?expand=a&expand=b", "/api/17?expand=a&expand=b"),
                ("/orders", "/api"),
                ("/orders/", "/api/"),
                ("/ordersx", "/api/x"),
                ("/items/5", "/api/items/5"),
                ("/r/x/y", "/x/y"),
                ("/r", "/"),
                ("/r/a?", "/a?"),
            ]
            for (requestPath, upstreamPath) in cases {
                let response = try await gateway.request("GET \(requestPath) HTTP/1.1\r\nHost: a.test\r\n\r\n")
                #expect(response.status == 200, "\(requestPath)")
                #expect(try EchoedRequest(response).uri == upstreamPath, "\(requestPath)")
            }
        }
    }

    @Test func preserveHostSendsTheClientsHostOtherwiseTheServiceHost() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services:
              - name: s
                url: http://127.0.0.1:\(port)
                routes:
                  - {name: preserve, paths: ["/p"], preserve_host: true}
                  - {name: service, paths: ["/s"]}
            """
        }) { gateway, upstream in
            let preserved = try EchoedRequest(
                await gateway.request("GET /p HTTP/1.1\r\nHost: Client.Example:8443\r\n\r\n")
            )
            #expect(preserved.header("host") == "Client.Example:8443")
            let replaced = try EchoedRequest(await gateway.request("GET /s HTTP/1.1\r\nHost: client.example\r\n\r\n"))
            #expect(replaced.header("host") == "127.0.0.1:\(upstream.port)")
        }
    }

    @Test func hostsMethodsHeadersAndRegexPathsSelectRoutes() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services:
              - name: wild
                url: http://127.0.0.1:\(port)/wild
                routes: [{name: wild, hosts: ["*.example.com"]}]
              - name: exact
                url: http://127.0.0.1:\(port)/exact
                routes: [{name: exact, hosts: ["api.example.com"]}]
              - name: post
                url: http://127.0.0.1:\(port)/post
                routes: [{name: post, paths: ["/m"], methods: ["POST"]}]
              - name: header
                url: http://127.0.0.1:\(port)/header
                routes: [{name: header, paths: ["/h"], headers: {x-version: ["2"]}}]
              - name: regex
                url: http://127.0.0.1:\(port)/regex
                routes: [{name: regex, paths: ["~/items/\\\\d+$"], strip_path: false}]
            """
        }) { gateway, _ in
            let cases: [(String, String?)] = [
                // a plain host beats a wildcard that also matches
                ("GET /x HTTP/1.1\r\nHost: api.example.com\r\n\r\n", "/exact/x"),
                ("GET /x HTTP/1.1\r\nHost: a.b.example.com\r\n\r\n", "/wild/x"),
                ("GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n", nil),
                ("POST /m HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", "/post"),
                ("GET /m HTTP/1.1\r\nHost: t\r\n\r\n", nil),
                ("GET /h HTTP/1.1\r\nHost: t\r\nX-Version: 2\r\n\r\n", "/header"),
                ("GET /h HTTP/1.1\r\nHost: t\r\nX-Version: 1\r\n\r\n", nil),
                ("GET /items/42 HTTP/1.1\r\nHost: t\r\n\r\n", "/regex/items/42"),
                ("GET /items/42x HTTP/1.1\r\nHost: t\r\n\r\n", nil),
            ]
            for (raw, expected) in cases {
                let response = try await gateway.request(raw)
                let uri = response.status == 200 ? try EchoedRequest(response).uri : nil
                #expect(uri == expected, "\(raw)")
                if expected == nil { #expect(response.status == 404, "\(raw)") }
            }
        }
    }

    @Test func longerPrefixWinsAndMoreMatchingCategoriesWinOverLength() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services:
              - {name: short, url: "http://127.0.0.1:\(port)/short", routes: [{name: short, paths: ["/a"]}]}
              - {name: long, url: "http://127.0.0.1:\(port)/long", routes: [{name: long, paths: ["/a/b"]}]}
              - name: hosted
                url: http://127.0.0.1:\(port)/hosted
                routes: [{name: hosted, paths: ["/a"], hosts: ["h.test"]}]
            """
        }) { gateway, _ in
            let long = try EchoedRequest(await gateway.request("GET /a/b/c HTTP/1.1\r\nHost: t\r\n\r\n"))
            #expect(long.uri == "/long/c")
            let short = try EchoedRequest(await gateway.request("GET /a/x HTTP/1.1\r\nHost: t\r\n\r\n"))
            #expect(short.uri == "/short/x")
            let hosted = try EchoedRequest(await gateway.request("GET /a/b/c HTTP/1.1\r\nHost: h.test\r\n\r\n"))
            #expect(hosted.uri == "/hosted/b/c")
        }
    }

    @Test func noMatchingRouteAnswersKongs404() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/only"]}]}]
            """
        }) { gateway, upstream in
            let response = try await gateway.request("GET /elsewhere HTTP/1.1\r\nHost: t\r\nAccept: application/json\r\n\r\n")
            #expect(response.status == 404)
            #expect(response.bodyText == #"{"message":"no Route matched with those values"}"#)
            #expect(response.header("content-type")?.hasPrefix("application/json") == true)
            let text = try await gateway.request("GET /elsewhere HTTP/1.1\r\nHost: t\r\nAccept: text/plain\r\n\r\n")
            #expect(text.bodyText == "no Route matched with those values\n")
            #expect(upstream.requestsServed == 0)
        }
    }

    @Test func pathsAreNormalisedOnceForRoutingAndUpstream() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/public"], strip_path: false}]}]
            """
        }) { gateway, _ in
            // dot segments cannot climb out of the routed prefix or reach another route
            let climbed = try await gateway.request("GET /public/../admin HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(climbed.status == 404)
            let normal = try EchoedRequest(await gateway.request("GET //public/./a/%7Euser/%2f HTTP/1.1\r\nHost: t\r\n\r\n"))
            #expect(normal.uri == "/public/a/~user/%2F")
            let invalid = try await gateway.request("GET /public/%zz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(invalid.status == 400)
        }
    }
}
