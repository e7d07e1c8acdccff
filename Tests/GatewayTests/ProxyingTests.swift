import Foundation
import DemoUpstream
import NIOPosix
import Testing
import TestSupport

@Suite struct ProxyingTests {
    static func config(_ port: Int, service: String = "", proxy: String = "") -> String {
        """
        _format_version: "3.0"
        proxy: {listen: ["127.0.0.1:0"]\(proxy)}
        services:
          - name: s
            url: http://127.0.0.1:\(port)
            \(service)
            routes: [{name: r, paths: ["/"]}]
        """
    }

    @Test func forwardingHeadersAreKongsAndSurviveAConnectionHeaderAttack() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let response = try await gateway.request(
                "GET /x?q=1 HTTP/1.1\r\nHost: Shop.Example:8080\r\nX-Forwarded-For: 203.0.113.9\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Real-IP: 203.0.113.9\r\n"
                    + "Connection: keep-alive, X-Forwarded-For, X-Real-IP, X-Secret\r\nX-Secret: s\r\n"
                    + "Keep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\n"
                    + "X_User: admin\r\nX-Kept: yes\r\n\r\n"
            )
            #expect(response.status == 200)
            #expect(response.header("x-upstream") == "echo")
            #expect(response.header("x-kong-upstream-latency") != nil)
            #expect(response.header("x-kong-proxy-latency") != nil)
            let echoed = try EchoedRequest(response)
            // Kong appends the peer to the chain it got, even from an untrusted client...
            #expect(echoed.headerValues("x-forwarded-for") == ["203.0.113.9, 127.0.0.1"])
            // ...but believes nothing else from it.
            #expect(echoed.headerValues("x-real-ip") == ["127.0.0.1"])
            #expect(echoed.headerValues("x-forwarded-proto") == ["http"])
            #expect(echoed.headerValues("x-forwarded-host") == ["shop.example"])
            #expect(echoed.headerValues("x-forwarded-port") == ["\(gateway.port)"])
            #expect(echoed.headerValues("x-forwarded-path") == ["/x"])
            #expect(echoed.header("x-secret") == nil)
            #expect(echoed.header("keep-alive") == nil)
            #expect(echoed.header("te") == nil)
            #expect(echoed.header("upgrade") == nil)
            #expect(echoed.header("proxy-connection") == nil)
            #expect(echoed.header("x_user") == nil)
            #expect(echoed.header("x-kept") == "yes")
            #expect(echoed.headerValues("connection") == ["keep-alive"])
            #expect(echoed.uri == "/x?q=1")
        }
    }

    @Test func trustedProxiesMayTellTheRealClient() async throws {
        try await withGateway({ Self.config($0, proxy: ", trusted_ips: [\"127.0.0.0/8\"]") }) { gateway, _ in
            let echoed = try EchoedRequest(
                await gateway.request(
                    "GET /x HTTP/1.1\r\nHost: h\r\nX-Real-IP: 198.51.100.7\r\nX-Forwarded-Proto: https\r\n"
                        + "X-Forwarded-Host: public.example\r\nX-Forwarded-Port: 443\r\n\r\n"
                )
            )
            #expect(echoed.header("x-real-ip") == "198.51.100.7")
            #expect(echoed.header("x-forwarded-for") == "198.51.100.7")
            #expect(echoed.header("x-forwarded-proto") == "https")
            #expect(echoed.header("x-forwarded-host") == "public.example")
            #expect(echoed.header("x-forwarded-port") == "443")
        }
    }

    @Test func sequentialRequestsReuseOneUpstreamConnection() async throws {
        try await withGateway({ Self.config($0) }) { gateway, upstream in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            for index in 0..<20 {
                try await connection.send("GET /n/\(index) HTTP/1.1\r\nHost: h\r\n\r\n")
                let response = try await connection.readResponse()
                #expect(response.status == 200)
                #expect(try EchoedRequest(response).uri == "/n/\(index)")
            }
            await connection.close()
            #expect(upstream.requestsServed == 20)
            #expect(upstream.connectionsAccepted == 1)
            // fresh client connections land on either event loop; each loop keeps its own pool
            for _ in 0..<10 {
                _ = try await gateway.request("GET /again HTTP/1.1\r\nHost: h\r\n\r\n")
            }
            #expect(upstream.connectionsAccepted <= 2)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send(
                "GET /first HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 50\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /third HTTP/1.1\r\nHost: h\r\n\r\n"
            )
            let first = try EchoedRequest(await connection.readResponse())
            let second = try EchoedRequest(await connection.readResponse())
            let third = try EchoedRequest(await connection.readResponse())
            #expect(first.uri == "/first")
            #expect(second.uri == "/second")
            #expect(second.body == "abc")
            #expect(third.uri == "/third")
            await connection.close()
        }
    }

    @Test func requestsPipelinedWhileAResponseIsPendingWaitTheirTurn() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send("GET /first HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 300\r\n\r\n")
            // The first request is complete and waiting on the upstream when the next two arrive.
            try await Task.sleep(for: .milliseconds(100))
            try await connection.send(
                "POST /second HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /third HTTP/1.1\r\nHost: h\r\n\r\n"
            )
            let first = try EchoedRequest(await connection.readResponse())
            let second = try EchoedRequest(await connection.readResponse())
            let third = try EchoedRequest(await connection.readResponse())
            #expect([first.uri, second.uri, third.uri] == ["/first", "/second", "/third"])
            #expect(second.body == "abc")
            await connection.close()
        }
    }

    @Test func aClientThatLeavesWhileWaitingIsLoggedAs499WithoutWaitingForTheUpstream() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("gone-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        try await withGateway({ Self.config($0, proxy: ", access_log: \"\(log)\"") }) { gateway, _ in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send("GET /slow HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 5000\r\n\r\n")
            try await Task.sleep(for: .milliseconds(200))
            let closedAt = ContinuousClock.now
            await connection.close()
            // The upstream would answer after 5 s; the gateway drops the exchange as soon as the client goes.
            let line = try #require(try await MetricsTests.waitForLines(log, count: 1).first)
            #expect(line.contains(#""GET /slow HTTP/1.1" 499 "#))
            #expect(ContinuousClock.now - closedAt < .seconds(4))
        }
    }

    @Test func http10ClientsGetTheirVersionAndAClose() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 200)
            #expect(response.version == "HTTP/1.0")
            #expect(try EchoedRequest(response).uri == "/old")
            #expect(try await connection.waitForClose())
        }
    }

    @Test func expectContinueGets100BeforeTheBody() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            let interim = try await connection.readResponse()
            #expect(interim.status == 100)
            try await connection.send("hello")
            let final = try await connection.readResponse()
            #expect(final.status == 200)
            let echoed = try EchoedRequest(final)
            #expect(echoed.body == "hello")
            #expect(echoed.header("expect") == nil)
            await connection.close()
        }
    }

    @Test func unreachableUpstreamIs502AndSilentUpstreamIs504() async throws {
        let closedPort = unusedPort()
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"]}
            services:
              - name: down
                url: http://127.0.0.1:\(closedPort)
                retries: 1
                routes: [{name: down, paths: ["/down"]}]
              - name: slow
                url: http://127.0.0.1:\(port)
                read_timeout: 1000
                routes: [{name: slow, paths: ["/slow"]}]
            """
        }) { gateway, _ in
            let down = try await gateway.request("GET /down HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(down.status == 502)
            #expect(down.bodyText == #"{"message":"An invalid response was received from the upstream server"}"#)
            let slow = try await gateway.request("GET /slow HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 3000\r\n\r\n")
            #expect(slow.status == 504)
            #expect(slow.bodyText == #"{"message":"The upstream server is timing out"}"#)
            // and the gateway still serves
            let after = try await gateway.request("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(after.status == 200)
        }
    }

    @Test func upstreamStatusAndHeadersPassThroughHopByHopRemoved() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let response = try await gateway.request("GET /t HTTP/1.1\r\nHost: h\r\nX-Echo-Status: 418\r\n\r\n")
            #expect(response.status == 418)
            #expect(response.header("content-type") == "application/json")
            // the upstream closing its connection is not the client's business
            let closing = try await gateway.request("GET /t HTTP/1.1\r\nHost: h\r\nX-Echo-Close: 1\r\n\r\n")
            #expect(closing.status == 200)
            #expect(closing.header("connection") == nil)
        }
    }
}
