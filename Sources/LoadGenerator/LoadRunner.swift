public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Runs a ``LoadPlan`` against a target with real connections, on an event loop group it is given.
///
/// 1. One probe request (the source's first exchange) on its own connection, not recorded: when it gets no
///    answer (refused, reset, TLS failure, no answer within the timeout), the run does not start and
///    ``run(progress:)`` throws ``LoadRunError/unreachable(_:)``.
/// 2. The connections are spread over the group's event loops (at most one loop per connection), each loop
///    with its own worker, connections and recorder: nothing is shared or locked while the load runs. In
///    the open model each loop takes an interleaved slice of the schedule, so the sum is the whole rate.
/// 3. Every connection's first connect is awaited, then the window starts 20 ms later on every loop at once
///    (connection setup is not charged to the first requests).
/// 4. At the end each loop's recorder is merged.
public struct LoadRunner<Source: RequestSource>: Sendable {
    public let plan: LoadPlan
    public let target: LoadTarget
    public let source: Source
    public let group: any EventLoopGroup

    public init(plan: LoadPlan, target: LoadTarget, source: Source, group: any EventLoopGroup) {
        self.plan = plan
        self.target = target
        self.source = source
        self.group = group
    }

    /// Runs the plan and returns what the measured period recorded (every loop's share merged).
    ///
    /// - Parameter progress: called about once a second while the run lasts, from a task (not an event loop).
    public func run(
        progress: (@Sendable (ProgressSnapshot) -> Void)? = nil
    ) async throws(LoadRunError) -> LatencyRecorder {
        let problems = self.plan.problems
        guard problems.isEmpty else { throw LoadRunError.invalidPlan(problems) }
        let loops = Array(self.group.makeIterator())
        let workerCount = max(1, min(loops.count, self.plan.connections))

        try await self.probe(on: loops[0])

        var workers: [WorkerHandle] = []
        do {
            for index in 0..<workerCount {
                let connections = self.plan.connections / workerCount
                    + (index < self.plan.connections % workerCount ? 1 : 0)
                let settings = LoopWorker<Source>.Settings(
                    plan: self.plan,
                    target: self.target,
                    source: self.source,
                    connections: connections,
                    slice: index,
                    slices: workerCount
                )
                let loop = loops[index]
                let worker = try await loop.submit {
                    NIOLoopBound(LoopWorker(eventLoop: loop, settings: settings), eventLoop: loop)
                }.get()
                workers.append(WorkerHandle(loop: loop, worker: worker))
            }
            let prepared = workers.map { handle in handle.loop.flatSubmit { handle.worker.value.prepare() } }
            for future in prepared { try await future.get() }
        } catch {
            // Only an event loop shutting down under us gets here.
            throw LoadRunError.unreachable("the event loops stopped: \(error)")
        }

        let start = NIODeadline.now().uptimeNanoseconds + 20_000_000
        let window = RunWindow(
            start: start,
            warmupNanoseconds: UInt64(max(0, self.plan.warmup.wholeNanoseconds)),
            durationNanoseconds: UInt64(max(0, self.plan.duration.wholeNanoseconds))
        )
        for handle in workers {
            handle.loop.execute { handle.worker.value.begin(window) }
        }

        let started = workers
        let progressTask = progress.map { report in
            Task { await Self.reportProgress(workers: started, window: window, report: report) }
        }
        var merged = LatencyRecorder()
        for handle in started {
            do {
                let recorder = try await handle.loop.flatSubmit { handle.worker.value.finished.futureResult }.get()
                merged.merge(recorder)
            } catch {
                progressTask?.cancel()
                throw LoadRunError.unreachable("the event loops stopped: \(error)")
            }
        }
        progressTask?.cancel()
        await progressTask?.value
        return merged
    }

    /// A worker and the loop it lives on.
    struct WorkerHandle: Sendable {
        let loop: any EventLoop
        let worker: NIOLoopBound<LoopWorker<Source>>
    }

    // MARK: - Probe

    /// Sends the source's first exchange on a connection of its own and waits for the end of its answer.
    private func probe(on loop: any EventLoop) async throws(LoadRunError) {
        let answered = loop.makePromise(of: Int.self)
        let request = self.source.firstRequest()
        let timeout = TimeAmount.nanoseconds(self.plan.timeout.wholeNanoseconds)
        let bootstrap = self.target.bootstrap(on: loop, timeout: timeout) {
            ProbeHandler(request: request, answered: answered)
        }
        let address = "\(self.target.url.host):\(self.target.url.port)"
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: self.target.url.host, port: self.target.url.port).get()
        } catch {
            answered.fail(error)
            throw LoadRunError.unreachable("\(address): \(error)")
        }
        let timer = loop.scheduleTask(in: timeout) {
            answered.fail(ProbeTimeout())
        }
        do {
            _ = try await answered.futureResult.get()
            timer.cancel()
            try? await channel.close()
        } catch {
            timer.cancel()
            try? await channel.close()
            let detail =
                error is ProbeTimeout ? "no answer within \(DurationText.format(self.plan.timeout))" : "\(error)"
            throw LoadRunError.unreachable("\(address): \(detail)")
        }
    }

    // MARK: - Progress

    private static func reportProgress(
        workers: [WorkerHandle],
        window: RunWindow,
        report: @Sendable (ProgressSnapshot) -> Void
    ) async {
        var previousAnswers = 0
        var previousTime = NIODeadline.now().uptimeNanoseconds
        let totalSeconds = Double(window.end - window.start) / 1e9
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { return }
            var merged = LatencyRecorder()
            var answers = 0
            var queued = 0
            for handle in workers {
                guard let snapshot = try? await handle.loop.submit({ handle.worker.value.snapshot() }).get() else {
                    return
                }
                merged.merge(snapshot.recorder)
                answers += snapshot.answers
                queued += snapshot.queued
            }
            let now = NIODeadline.now().uptimeNanoseconds
            let seconds = Double(now - previousTime) / 1e9
            let totals = merged.totals
            report(
                ProgressSnapshot(
                    phase: window.phase(at: now),
                    elapsedSeconds: now > window.start ? Double(now - window.start) / 1e9 : 0,
                    totalSeconds: totalSeconds,
                    requests: totals.requests,
                    recentThroughput: seconds > 0 ? Double(answers - previousAnswers) / seconds : 0,
                    errors: totals.timeouts + totals.connectErrors + totals.statusErrors,
                    queued: queued,
                    p99Milliseconds: totals.responses > 0 ? Double(merged.microseconds(atPercentile: 99)) / 1000 : nil
                )
            )
            previousAnswers = answers
            previousTime = now
        }
    }
}

/// The probe waited longer than the timeout.
private struct ProbeTimeout: Error {}

/// Sends one request when the connection is up and succeeds `answered` with the status at the end of the
/// answer; fails it on an error or a close first.
private final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let request: BenchRequest
    private let answered: EventLoopPromise<Int>
    private var status = 0

    init(request: BenchRequest, answered: EventLoopPromise<Int>) {
        self.request = request
        self.answered = answered
    }

    func channelActive(context: ChannelHandlerContext) {
        self.request.write(on: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head): self.status = Int(head.status.code)
        case .body: break
        case .end: self.answered.succeed(self.status)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.answered.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.answered.fail(ChannelError.inputClosed)
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ProbeHandler: Sendable {}
