import LoadGenerator
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// How failures are classified over real sockets: unreachable before the run (thrown), timeouts, status
/// errors and connections the server closes during the run (counted, never thrown).
@Suite struct LoadRunnerErrorTests {
    @Test func aRefusedTargetStopsTheRunBeforeItStarts() async throws {
        let refusing = try RefusingPort()
        let url = TargetURL("http://127.0.0.1:\(refusing.port)/")!
        let error = await #expect(throws: LoadRunError.self) {
            try await runLoad(
                openPlan(url: url.description, rate: 10, connections: 1, duration: .seconds(1)),
                target: try LoadTarget(url: url),
                source: HTTPRequestSource(url: url, method: "GET", headers: [], body: nil)
            )
        }
        #expect(error?.isUnreachable == true)
        #expect(error?.description.contains("127.0.0.1:\(refusing.port)") == true)
    }

    @Test func anInvalidPlanIsRefused() async throws {
        let url = TargetURL("http://127.0.0.1:1/")!
        let error = await #expect(throws: LoadRunError.self) {
            try await runLoad(
                openPlan(url: url.description, rate: 0, connections: 0, duration: .zero),
                target: try LoadTarget(url: url),
                source: HTTPRequestSource(url: url, method: "GET", headers: [], body: nil)
            )
        }
        #expect(error?.shortDescription == "invalid_plan")
        #expect(error?.description.contains("--rate") == true)
        #expect(error?.description.contains("--connections") == true)
    }

    /// Every 2nd request of a connection never answers in time: it counts as a timeout, its connection is
    /// replaced, and the run goes on and ends on time.
    @Test func slowAnswersCountAsTimeoutsAndTheirConnectionsAreReplaced() async throws {
        try await withStallingServer(every: 2, stall: .seconds(1)) { server in
            let url = TargetURL("http://127.0.0.1:\(server.port)/")!
            let started = ContinuousClock.now
            let plan = closedPlan(
                url: url.description,
                connections: 1,
                duration: .milliseconds(1200),
                timeout: .milliseconds(150)
            )
            let run = try await runLoad(
                plan,
                target: try LoadTarget(url: url),
                source: HTTPRequestSource(url: url, method: "GET", headers: [], body: nil)
            )
            // Lower bounds only: on a loaded machine fewer requests fit in the window, never more timeouts
            // than stalls.
            #expect(run.result.errors.timeout >= 1)
            #expect(run.result.errors.status == 0)
            #expect(run.result.errors.connect == 0)
            #expect(run.result.responses >= 1)
            // The window (1.2 s) plus at most one timeout for the request in flight, with margin.
            #expect(ContinuousClock.now - started < .seconds(5))
        }
    }

    @Test func nonSuccessStatusesAreStatusErrorsCountedByCode() async throws {
        try await withStallingServer(every: 1_000_000, stall: .zero, status: .serviceUnavailable) { server in
            let url = TargetURL("http://127.0.0.1:\(server.port)/")!
            let run = try await runLoad(
                closedPlan(url: url.description, connections: 2, duration: .milliseconds(200)),
                target: try LoadTarget(url: url),
                source: HTTPRequestSource(url: url, method: "GET", headers: [], body: nil)
            )
            #expect(run.result.requests > 0)
            #expect(run.result.errors == BenchResult.Errors(timeout: 0, connect: 0, status: run.result.requests))
            #expect(run.result.statusCodes == ["503": run.result.requests])
            #expect(run.result.latencyMs.p50 > 0)
        }
    }

    /// A server that answers `Connection: close` every time: each connection serves one request and is
    /// replaced at once; nothing is an error.
    @Test func connectionsTheServerClosesAfterAnAnswerAreReplacedWithoutErrors() async throws {
        let upstream = try await ScriptedUpstream.start { _ in
            ScriptedUpstream.Reply(status: 200, headers: [("Connection", "close")], text: "bye")
        }
        do {
            let url = TargetURL("http://127.0.0.1:\(upstream.port)/once")!
            let run = try await runLoad(
                closedPlan(url: url.description, connections: 1, duration: .seconds(1)),
                target: try LoadTarget(url: url),
                source: HTTPRequestSource(url: url, method: "POST", headers: [("X-Bench", "1")], body: nil)
            )
            #expect(run.result.requests >= 2)  // at least one connection was replaced
            #expect(run.result.errors == BenchResult.Errors(timeout: 0, connect: 0, status: 0))
            let received = upstream.requests
            #expect(received.allSatisfy { $0.method == "POST" && $0.uri == "/once" })
            #expect(received.allSatisfy { $0.header("x-bench") == "1" && $0.header("content-length") == "0" })
        } catch {
            await upstream.close()
            throw error
        }
        await upstream.close()
    }
}
