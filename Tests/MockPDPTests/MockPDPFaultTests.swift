import Foundation
import MockPDP
import TestSupport
import Testing

/// Fault injection: latency, error rate and the per-rule faults, each acted out on the wire.
@Suite struct MockPDPFaultTests {
    static let faultRules = """
        request_rules:
          - name: slow
            match: {path: /slow}
            latency_ms: 120
            allow: {}
          - name: limited
            match: {path: /limited}
            fault: {rate_limit: {retry_after: 2}}
          - name: broken
            match: {path: /broken}
            fault: {status: 502, body: "upstream policy store down"}
          - name: garbled
            match: {path: /garbled}
            fault: garbage
          - name: hang-up
            match: {path: /hang-up}
            fault: drop
        """

    @Test func waitsTheGlobalAndThePerRuleLatency() async throws {
        let rules = "settings:\n  latency_ms: 80\n" + Self.faultRules
        try await withMockPDP(rules: rules) { server in
            let clock = ContinuousClock()
            let start = clock.now
            let plain = try await call(server, payload: requestPayload(path: "/fast"))
            let plainElapsed = clock.now - start
            #expect(plain.status == 200)
            #expect(plainElapsed >= .milliseconds(80))

            let slowStart = clock.now
            let slow = try await call(server, payload: requestPayload(path: "/slow"))
            let slowElapsed = clock.now - slowStart
            #expect(slow.status == 200)
            #expect(slowElapsed >= .milliseconds(200))
            #expect((server.decisions.last?.latencyMs ?? 0) >= 200)
        }
    }

    @Test func answersEveryCallWithTheErrorStatusAtErrorRateOne() async throws {
        let rules = """
            settings:
              error_rate: 1.0
              error_status: 500
            """
        try await withMockPDP(rules: rules) { server in
            for path in ["/a", "/b"] {
                let answer = try await call(server, payload: requestPayload(path: path))
                #expect(answer.status == 500)
                #expect(try answer.json()["code"] as? String == "MOCK_ERROR_RATE")
            }
            #expect(server.decisions.map(\.fault) == ["error_rate", "error_rate"])
        }
    }

    @Test func comparesTheErrorRateWithTheInjectedRandomSource() async throws {
        let rules = "settings:\n  error_rate: 0.5\n"
        var configuration = try testConfiguration(rules: rules)
        configuration.random = { 0.7 }
        try await withMockPDP(configuration) { server in
            let answer = try await call(server, payload: requestPayload(path: "/a"))
            #expect(answer.status == 200)
        }
        configuration.random = { 0.2 }
        try await withMockPDP(configuration) { server in
            let answer = try await call(server, payload: requestPayload(path: "/a"))
            #expect(answer.status == 503)
        }
    }

    @Test func answers429WithRetryAfter() async throws {
        try await withMockPDP(rules: Self.faultRules) { server in
            let answer = try await call(server, payload: requestPayload(path: "/limited"))
            #expect(answer.status == 429)
            #expect(answer.header("retry-after") == "2")
            #expect(try answer.json()["code"] as? String == "LIMIT_EXCEEDED")
            #expect(server.decisions.last?.rule == "limited")
            #expect(server.decisions.last?.fault == "rate_limit")
        }
    }

    @Test func answersAFaultStatusWithItsBody() async throws {
        try await withMockPDP(rules: Self.faultRules) { server in
            let answer = try await call(server, payload: requestPayload(path: "/broken"))
            #expect(answer.status == 502)
            #expect(answer.bodyText == "upstream policy store down")
        }
    }

    @Test func answersGarbageAsA200ThatIsNotJSON() async throws {
        try await withMockPDP(rules: Self.faultRules) { server in
            let answer = try await call(server, payload: requestPayload(path: "/garbled"))
            #expect(answer.status == 200)
            #expect(answer.bodyText == "not json")
            #expect((try? JSONSerialization.jsonObject(with: Data(answer.body))) == nil)
        }
    }

    @Test func dropsTheConnectionWithoutAnswering() async throws {
        try await withMockPDP(rules: Self.faultRules) { server in
            let connection = try await RawHTTPConnection.connect(port: server.port)
            try await connection.send(
                sidebandRequest(path: "/sideband/request", payload: requestPayload(path: "/hang-up"))
            )
            #expect(try await connection.waitForClose())
            #expect(connection.pendingBytes.isEmpty)
            await connection.close()
            #expect(server.decisions.last?.fault == "drop")
            #expect(server.decisions.last?.status == 0)
        }
    }
}
