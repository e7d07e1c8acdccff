import Testing
import TestSupport

/// Every hostile-input case from the gateway's limits, each against a raw socket, each followed by a
/// normal request to prove the server still serves.
@Suite struct HostileInputTests {
    /// Short client timeouts only where a test measures them: on a loaded CI machine a test client may
    /// take longer than that between connecting and sending.
    static func config(_ port: Int, clientTimeoutMs: Int = 60_000) -> String {
        """
        _format_version: "3.0"
        proxy:
          listen: ["127.0.0.1:0"]
          max_header_bytes: 4096
          max_headers: 20
          max_body_bytes: 1000
          client_timeout_ms: \(clientTimeoutMs)
          keepalive_timeout_ms: \(clientTimeoutMs)
        services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/"]}]}]
        """
    }

    /// Sends `raw`, expects `status` and (unless `staysOpen`) the connection closed; then checks the
    /// gateway still answers a normal request.
    func expectRefusal(
        _ gateway: GatewayHarness,
        _ raw: String,
        status: Int,
        closes: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let connection = try await RawHTTPConnection.connect(port: gateway.port)
        // The gateway may answer and close before it has read everything we send.
        try? await connection.send(raw)
        let response = try await connection.readResponse()
        #expect(response.status == status, sourceLocation: sourceLocation)
        if closes {
            #expect(try await connection.waitForClose(timeout: .seconds(5)), sourceLocation: sourceLocation)
        }
        await connection.close()
        let healthy = try await gateway.request("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(healthy.status == 200, sourceLocation: sourceLocation)
    }

    @Test func oversizeHeaderBlockIs431() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let big = String(repeating: "a", count: 5000)
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\nHost: h\r\nX-Big: \(big)\r\n\r\n", status: 431)
        }
    }

    @Test func tooManyHeaderLinesIs431() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            let lines = (0..<30).map { "X-H\($0): v\r\n" }.joined()
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\nHost: h\r\n\(lines)\r\n", status: 431)
        }
    }

    @Test func bodyOverTheLimitIs413ByLengthAndWhileChunked() async throws {
        try await withGateway({ Self.config($0) }) { gateway, upstream in
            try await expectRefusal(gateway, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n", status: 413)
            let chunk = String(repeating: "z", count: 600)
            let frame = "258\r\n\(chunk)\r\n"
            try await expectRefusal(
                gateway,
                "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\(frame)\(frame)",
                status: 413
            )
            #expect(upstream.requestsServed == 2)  // only the two health checks
        }
    }

    @Test func malformedRequestsAre400() async throws {
        try await withGateway({ Self.config($0) }) { gateway, _ in
            try await expectRefusal(gateway, "GARBAGE\r\n\r\n", status: 400)
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n", status: 400)
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", status: 400)
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\n\r\n", status: 400)  // no Host in 1.1
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", status: 400)
            try await expectRefusal(gateway, "GET / HTTP/1.1\r\nHost: bad/host\r\n\r\n", status: 400)
        }
    }

    @Test func smugglingFramingIsRefusedAndTheConnectionClosed() async throws {
        try await withGateway({ Self.config($0) }) { gateway, upstream in
            try await expectRefusal(
                gateway,
                "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                status: 400
            )
            try await expectRefusal(gateway, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 400)
            try await expectRefusal(gateway, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", status: 400)
            try await expectRefusal(gateway, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", status: 400)
            try await expectRefusal(gateway, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", status: 501)
            #expect(upstream.requestsServed == 5)  // the health checks only: nothing was smuggled through
        }
    }

    @Test func slowClientsAreDisconnectedAfterTheClientTimeout() async throws {
        try await withGateway({ Self.config($0, clientTimeoutMs: 2_000) }) { gateway, _ in
            // a header trickled byte by byte is timed from its first byte
            let trickle = try await RawHTTPConnection.connect(port: gateway.port)
            let clock = ContinuousClock()
            let start = clock.now
            for byte in "GET / HTTP/1.1\r\nHost: h\r\n".utf8 {
                if trickle.isClosed { break }
                try? await trickle.send([byte])
                try await Task.sleep(for: .milliseconds(150))
            }
            #expect(try await trickle.waitForClose(timeout: .seconds(5)))
            #expect(clock.now - start < .seconds(8))
            let timedOut = String(decoding: trickle.pendingBytes, as: UTF8.self)
            #expect(timedOut.hasPrefix("HTTP/1.1 408"))
            await trickle.close()

            // an idle connection is closed too
            let idle = try await RawHTTPConnection.connect(port: gateway.port)
            #expect(try await idle.waitForClose(timeout: .seconds(5)))

            // a body that stalls
            let stalled = try await RawHTTPConnection.connect(port: gateway.port)
            try await stalled.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
            let response = try await stalled.readResponse()
            #expect(response.status == 408)
            #expect(try await stalled.waitForClose(timeout: .seconds(5)))

            let healthy = try await gateway.request("GET /ok HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(healthy.status == 200)
        }
    }

    @Test func connectionsOverTheCapAreRefused() async throws {
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"], max_connections: 2}
            services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/"]}]}]
            """
        }) { gateway, _ in
            // Each of the first two is served once, so the gateway has surely counted both (connections
            // accepted on different event loops are counted in no guaranteed order).
            let first = try await RawHTTPConnection.connect(port: gateway.port)
            try await first.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await first.readResponse().status == 200)
            let second = try await RawHTTPConnection.connect(port: gateway.port)
            try await second.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await second.readResponse().status == 200)
            let third = try await RawHTTPConnection.connect(port: gateway.port)
            #expect(try await third.waitForClose(timeout: .seconds(15)))
            try await first.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await first.readResponse().status == 200)
            await first.close()
            await second.close()
            await third.close()
            try await Task.sleep(for: .milliseconds(100))
            let after = try await gateway.request("GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(after.status == 200)
        }
    }
}
