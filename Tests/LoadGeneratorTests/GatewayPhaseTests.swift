import Foundation
import LoadGenerator
import NIOHTTP1
import TestSupport
import Testing

/// Attribution: the latency a gateway reports in its headers is collected per phase beside the client's.
@Suite struct GatewayPhaseTests {
    @Test func theLatencyHeadersAreReadPerPhase() throws {
        let headers = HTTPHeaders([
            ("X-Ping-Auth-Request-Latency", "3"), ("X-Kong-Upstream-Latency", "0"), ("X-Kong-Proxy-Latency", "x"),
        ])
        let sample = try #require(GatewayPhaseSample.read(headers))
        #expect(sample[.sidebandRequest] == 3)
        #expect(sample[.upstream] == 0)
        #expect(sample[.gateway] == nil)  // not a number
        #expect(sample[.sidebandResponse] == nil)
        #expect(GatewayPhaseSample.read(HTTPHeaders([("Content-Type", "text/plain")])) == nil)
    }

    @Test func aRunThroughAGatewayReportsWhereTheTimeWent() async throws {
        let upstream = try await ScriptedUpstream.start { _ in
            ScriptedUpstream.Reply(
                status: 200,
                headers: [
                    ("X-Ping-Auth-Request-Latency", "4"), ("X-Ping-Auth-Response-Latency", "2"),
                    ("X-Kong-Upstream-Latency", "7"), ("X-Kong-Proxy-Latency", "5"),
                ],
                text: "ok"
            )
        }
        do {
            let url = TargetURL("http://127.0.0.1:\(upstream.port)/covered")!
            let run = try await runLoad(
                openPlan(url: url.description, rate: 200, connections: 2, duration: .milliseconds(500)),
                target: try LoadTarget(url: url),
                source: HTTPRequestSource(url: url, method: "GET", headers: [], body: nil)
            )
            let phases = try #require(run.recorder.phases.summary())
            let result = run.result
            #expect(run.result.responses > 0)
            #expect(phases["sideband_request"]?.count == run.result.responses)
            #expect(phases["sideband_request"]?.p99 == 4)
            #expect(phases["sideband_response"]?.p50 == 2)
            #expect(phases["upstream"]?.max == 7)
            #expect(phases["gateway"]?.p90 == 5)
            #expect(result.summaryText.contains("gateway ms   sideband_request p50 4 p99 4"))
            let decoded = try BenchResult.decode(Data(try result.jsonText().utf8))
            #expect(decoded.gatewayLatencyMs == phases)
        } catch {
            await upstream.close()
            throw error
        }
        await upstream.close()
    }

    @Test func answersWithoutLatencyHeadersLeaveTheKeyNull() throws {
        #expect(GatewayPhaseRecorder().summary() == nil)
        let text = try BenchResult(
            plan: closedPlan(url: "http://h/", connections: 1, duration: .seconds(1)),
            totals: RunTotals(),
            distribution: LatencyDistribution()
        ).jsonText()
        #expect(text.contains(#""gateway_latency_ms":null"#))
    }
}
