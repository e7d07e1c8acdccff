import Testing
import TestSupport

/// Bodies stream through the gateway in both directions: each test observes the far side receiving the
/// first part before the near side has produced the last one, which a buffering proxy cannot do.
@Suite struct StreamingTests {
    static let chunk = String(repeating: "x", count: 100_000)

    static func config(_ port: Int) -> String {
        """
        _format_version: "3.0"
        proxy: {listen: ["127.0.0.1:0"], max_body_bytes: 0}
        services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/"]}]}]
        """
    }

    @Test func chunkedRequestBodyReachesTheUpstreamBeforeTheClientFinishes() async throws {
        let upstream = try await StreamingUpstream.start()
        let gateway = try await GatewayHarness.start(Self.config(upstream.port))
        defer { Task { await gateway.stop(); await upstream.close() } }

        let connection = try await RawHTTPConnection.connect(port: gateway.port)
        try await connection.send("POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        let chunkFrame = String(Self.chunk.utf8.count, radix: 16) + "\r\n" + Self.chunk + "\r\n"
        try await connection.send(chunkFrame)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while upstream.requestBodyBytes < Self.chunk.utf8.count && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(upstream.requestBodyBytes == Self.chunk.utf8.count, "upstream must see the first chunk while the body is still open")
        for _ in 0..<30 { try await connection.send(chunkFrame) }
        try await connection.send("0\r\n\r\n")
        let response = try await connection.readResponse(timeout: .seconds(30))
        #expect(response.status == 200)
        #expect(response.bodyText == "received \(31 * Self.chunk.utf8.count)")
        await connection.close()
    }

    @Test func chunkedResponseReachesTheClientBeforeTheUpstreamFinishes() async throws {
        let upstream = try await StreamingUpstream.start()
        let gateway = try await GatewayHarness.start(Self.config(upstream.port))
        defer { Task { await gateway.stop(); await upstream.close() } }

        let size = 4 * 1_048_576
        let connection = try await RawHTTPConnection.connect(port: gateway.port)
        try await connection.send("GET /download?size=\(size) HTTP/1.1\r\nHost: h\r\n\r\n")
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while connection.pendingBytes.count < 65_536 && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(connection.pendingBytes.count >= 65_536, "the first part must arrive while the upstream holds the rest")
        upstream.release()
        let response = try await connection.readResponse(timeout: .seconds(30))
        #expect(response.status == 200)
        #expect(response.body.count == size)
        #expect(response.header("transfer-encoding") == "chunked")
        await connection.close()
    }
}
