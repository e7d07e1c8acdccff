import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// The operations listener: `/status` and `/status/ready`.
@Suite struct StatusTests {
    @Test func statusReportsVersionConnectionsAndTheCircuitOfEachInstance() async throws {
        try await PingAuthTests.withPolicy(
            proxy: #"listen: ["127.0.0.1:0"], status_listen: "127.0.0.1:0""#,
            script: { call in
                (call.json["url"] as? String)?.contains("/limited") == true
                    ? .raw("{}", status: 429, headers: [("Retry-After", "30")]) : nil
            }
        ) { gateway, _, _ in
            let statusPort = try #require(gateway.statusPort)
            func get(_ path: String) async throws -> HTTPTestResponse {
                let connection = try await RawHTTPConnection.connect(port: statusPort)
                defer { Task { await connection.close() } }
                try await connection.send("GET \(path) HTTP/1.1\r\nHost: status\r\n\r\n")
                return try await connection.readResponse()
            }
            let ready = try await get("/status/ready")
            #expect(ready.status == 200)

            #expect(try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
            var status = try await get("/status").json()
            #expect(status["version"] as? String != nil)
            #expect(status["ready"] as? Bool == true)
            #expect((status["config_digest"] as? String)?.isEmpty == false)
            var circuits = try #require(status["ping_auth"] as? [[String: Any]])
            #expect(circuits.count == 1)
            #expect(circuits.first?["circuit"] as? String == "closed")
            let pools = try #require(status["upstream_pools"] as? [String: Int])
            #expect(pools["idle"] == 1)  // the connection of the request above, kept alive
            let sideband = try #require(status["sideband_pools"] as? [String: Int])
            #expect(sideband["idle"] == 1)  // its two sideband calls went over one kept-alive connection
            #expect(sideband["leased"] == 0)

            #expect(try await gateway.request("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n").status == 429)
            status = try await get("/status").json()
            circuits = try #require(status["ping_auth"] as? [[String: Any]])
            #expect(circuits.first?["circuit"] as? String == "open")
            #expect(try await get("/nope").status == 404)
        }
    }

    @Test func readinessIsServiceUnavailableWhileDraining() async throws {
        let upstream = try await DemoUpstreamHandle.start()
        let gateway = try await GatewayHarness.start(
            """
            _format_version: "3.0"
            proxy: {listen: ["127.0.0.1:0"], status_listen: "127.0.0.1:0", drain_timeout_ms: 3000}
            services: [{name: s, url: "http://127.0.0.1:\(upstream.port)", routes: [{name: r, paths: ["/"]}]}]
            """
        )
        defer { Task { await upstream.close() } }
        let statusPort = try #require(gateway.statusPort)
        // a slow request keeps the drain going
        let slow = try await RawHTTPConnection.connect(port: gateway.port)
        try await slow.send("GET /slow HTTP/1.1\r\nHost: h\r\nX-Echo-Delay-Ms: 1500\r\n\r\n")
        // drain only once the request is in flight (the upstream has it)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while upstream.server.requestsServed < 1 && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        let stopping = Task { await gateway.stop() }
        try await Task.sleep(for: .milliseconds(200))
        let probe = try await RawHTTPConnection.connect(port: statusPort)
        try await probe.send("GET /status/ready HTTP/1.1\r\nHost: status\r\n\r\n")
        let draining = try await probe.readResponse()
        #expect(draining.status == 503)
        await probe.close()
        #expect(try await slow.readResponse().status == 200)
        await slow.close()
        await stopping.value
    }
}
