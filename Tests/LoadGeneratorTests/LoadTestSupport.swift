import LoadGenerator
import NIOPosix

/// What a test run produced: the report and the merged recorder behind it.
struct LoadRun {
    var result: BenchResult
    var recorder: LatencyRecorder
}

/// Runs `plan` on the shared event loop group and builds its report.
func runLoad<Source: RequestSource>(_ plan: LoadPlan, target: LoadTarget, source: Source) async throws -> LoadRun {
    let runner = LoadRunner(plan: plan, target: target, source: source, group: MultiThreadedEventLoopGroup.singleton)
    let recorder = try await runner.run()
    return LoadRun(
        result: BenchResult(plan: plan, recorder: recorder),
        recorder: recorder
    )
}

/// An open-model plan with no warm-up.
func openPlan(
    target: String = "http",
    url: String,
    rate: Double,
    connections: Int,
    duration: Duration,
    timeout: Duration = .seconds(5)
) -> LoadPlan {
    LoadPlan(
        target: target,
        url: url,
        model: .open(rate: rate),
        connections: connections,
        duration: duration,
        timeout: timeout
    )
}

/// A closed-model plan with no warm-up.
func closedPlan(
    target: String = "http",
    url: String,
    connections: Int,
    duration: Duration,
    timeout: Duration = .seconds(5)
) -> LoadPlan {
    LoadPlan(target: target, url: url, model: .closed, connections: connections, duration: duration, timeout: timeout)
}
