import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What one event loop's worker has measured so far, for the progress line.
struct WorkerSnapshot: Sendable {
    var recorder: LatencyRecorder
    /// Answers so far, warm-up included.
    var answers: Int
    /// Open model: due requests waiting for a free connection.
    var queued: Int
}

/// One event loop's share of a run: its connections, its slice of the arrival schedule, its recorder.
/// Confined to its event loop; the runner reaches it through `NIOLoopBound`.
///
/// Open model: a timer fires at each due time (several due requests are taken at once when it fires
/// late); due requests go to idle connections, most recently used first, and wait in order (as a count:
/// their due times are the schedule's) while none is idle. Closed model: each connection starts its next
/// load request as soon as the last one ended.
///
/// Connections that close or fail are replaced in the same slot: at once after a connection that served
/// answers closed, with a growing delay (10 ms doubling up to 1 s) after failures, so a refusing target is
/// not hammered. At the window's end no new request is sent; those in flight finish (each bounded by the
/// timeout), then every connection is closed and ``finished`` succeeds with the recorder.
final class LoopWorker<Source: RequestSource> {
    struct Settings: Sendable {
        var plan: LoadPlan
        var target: LoadTarget
        var source: Source
        /// This loop's connections.
        var connections: Int
        /// This loop's slice of the open model's schedule.
        var slice: Int
        var slices: Int
    }

    let eventLoop: any EventLoop
    private let settings: Settings
    private let timeout: TimeAmount
    /// Succeeds with the recorder once the run is over and every connection closed.
    let finished: EventLoopPromise<LatencyRecorder>

    private var slots: [BenchConnection<Source>?]
    /// Consecutive failures per slot (backoff before reconnecting).
    private var failures: [Int]
    private var reconnectTimers: [Scheduled<Void>?]
    /// Ready connections with no request, most recently used last.
    private var idle: [BenchConnection<Source>] = []

    private var window: RunWindow?
    private var schedule: ArrivalSchedule?
    /// Open model: slots of this slice due so far, and handed to a connection so far.
    private var dueSlots = 0
    private var sentSlots = 0
    private var inFlight = 0
    /// Closed model: the window started and has not ended.
    private var running = false
    private var stopping = false
    private var completed = false
    private var recorder = LatencyRecorder()
    private var answers = 0
    private var arrivalTimer: Scheduled<Void>?
    private var timers: [Scheduled<Void>] = []

    init(eventLoop: any EventLoop, settings: Settings) {
        self.eventLoop = eventLoop
        self.settings = settings
        self.timeout = .nanoseconds(settings.plan.timeout.wholeNanoseconds)
        self.finished = eventLoop.makePromise(of: LatencyRecorder.self)
        self.slots = Array(repeating: nil, count: settings.connections)
        self.failures = Array(repeating: 0, count: settings.connections)
        self.reconnectTimers = Array(repeating: nil, count: settings.connections)
    }

    private var now: UInt64 { NIODeadline.now().uptimeNanoseconds }

    // MARK: - Runner side

    /// Opens every connection; the future succeeds once each first attempt connected or failed.
    func prepare() -> EventLoopFuture<Void> {
        let attempts = (0..<self.settings.connections).map { self.connect(slot: $0) }
        return EventLoopFuture.andAllComplete(attempts, on: self.eventLoop)
    }

    /// Starts the run: arrivals (open model) or the connections (closed model) from `window.start`, the end
    /// at `window.end`.
    func begin(_ window: RunWindow) {
        self.window = window
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        self.timers.append(
            self.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(window.end)) { loopBound.value.stop() }
        )
        switch self.settings.plan.model {
        case .open(let rate):
            self.schedule = ArrivalSchedule(
                window: window,
                rate: rate,
                slice: self.settings.slice,
                of: self.settings.slices
            )
            self.scheduleNextArrival()
        case .closed:
            self.timers.append(
                self.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(window.start)) { loopBound.value.go() }
            )
        }
    }

    func snapshot() -> WorkerSnapshot {
        WorkerSnapshot(recorder: self.recorder, answers: self.answers, queued: max(0, self.dueSlots - self.sentSlots))
    }

    // MARK: - Connections

    /// Opens a connection in `slot`; the future succeeds when the attempt is over, whatever its outcome.
    @discardableResult
    private func connect(slot: Int) -> EventLoopFuture<Void> {
        self.reconnectTimers[slot] = nil
        let tlsContext = self.settings.target.tlsContext
        let attempt = self.eventLoop.makePromise(of: Void.self)
        let connection = BenchConnection(
            slot: slot,
            worker: self,
            source: self.settings.source,
            timeout: self.timeout,
            waitsForHandshake: tlsContext != nil,
            settled: attempt
        )
        self.slots[slot] = connection
        let handler = NIOLoopBound(connection, eventLoop: self.eventLoop)
        let bootstrap = self.settings.target.bootstrap(on: self.eventLoop, timeout: self.timeout) { handler.value }
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        bootstrap.connect(host: self.settings.target.url.host, port: self.settings.target.url.port)
            .hop(to: self.eventLoop)
            .whenComplete { result in
                if case .failure = result {
                    loopBound.value.connectFailed(handler.value)
                    handler.value.settle()
                }
            }
        // Over when the connection is ready (after its TLS handshake on https) or failed.
        return attempt.futureResult
    }

    private func connectFailed(_ connection: BenchConnection<Source>) {
        guard self.slots[connection.slot] === connection else { return }
        self.slots[connection.slot] = nil
        self.countConnectErrorIfMeasuring()
        self.failures[connection.slot] += 1
        self.reconnect(slot: connection.slot)
    }

    /// Reconnects `slot`: at once after a clean close, after a backoff following failures.
    private func reconnect(slot: Int) {
        guard !self.stopping, !self.completed else { return }
        let failures = self.failures[slot]
        guard failures > 0 else {
            self.connect(slot: slot)
            return
        }
        let milliseconds = min(1000, 10 << min(failures - 1, 7))
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        self.reconnectTimers[slot] = self.eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) { () -> Void in
            let worker = loopBound.value
            guard !worker.stopping, !worker.completed, worker.slots[slot] == nil else { return }
            worker.connect(slot: slot)
        }
    }

    func connectionReady(_ connection: BenchConnection<Source>) {
        guard self.slots[connection.slot] === connection, !self.completed else {
            _ = connection.close()
            return
        }
        self.becameIdle(connection)
    }

    func connectionClosed(_ connection: BenchConnection<Source>, failed: Bool) {
        guard self.slots[connection.slot] === connection else { return }
        self.slots[connection.slot] = nil
        if let index = self.idle.firstIndex(where: { $0 === connection }) {
            self.idle.remove(at: index)
        }
        if failed { self.countConnectErrorIfMeasuring() }
        if failed || !connection.answered { self.failures[connection.slot] += 1 }
        if self.completed { return }
        if self.stopping {
            if self.inFlight == 0 { self.complete() }
            return
        }
        self.reconnect(slot: connection.slot)
    }

    private func countConnectErrorIfMeasuring() {
        if let window = self.window, window.isMeasured(self.now) {
            self.recorder.totals.countConnectError(lostRequest: false)
        }
    }

    // MARK: - Load requests

    private func becameIdle(_ connection: BenchConnection<Source>) {
        switch self.settings.plan.model {
        case .open:
            self.idle.append(connection)
            self.dispatch()
        case .closed:
            if self.running {
                self.inFlight += 1
                connection.start(intended: self.now)
            } else {
                self.idle.append(connection)
            }
        }
    }

    /// Open model: hands due requests to idle connections, oldest request first.
    private func dispatch() {
        guard let schedule = self.schedule, !self.stopping else { return }
        while self.sentSlots < self.dueSlots, let connection = self.idle.popLast() {
            let intended = schedule.intendedTime(ofSlot: self.sentSlots)
            self.sentSlots += 1
            self.inFlight += 1
            connection.start(intended: intended)
        }
    }

    private func scheduleNextArrival() {
        guard let schedule = self.schedule, !self.stopping, self.dueSlots < schedule.slotCount else { return }
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let due = NIODeadline.uptimeNanoseconds(schedule.intendedTime(ofSlot: self.dueSlots))
        self.arrivalTimer = self.eventLoop.scheduleTask(deadline: due) { loopBound.value.arrivalsDue() }
    }

    private func arrivalsDue() {
        self.arrivalTimer = nil
        guard let schedule = self.schedule, !self.stopping else { return }
        // The timer was for slot `dueSlots`; when it fires late, every slot due by now is taken at once.
        self.dueSlots = min(schedule.slotCount, max(self.dueSlots + 1, schedule.slotsDue(at: self.now)))
        self.dispatch()
        self.scheduleNextArrival()
    }

    /// Closed model: the window starts; every ready connection begins.
    private func go() {
        guard !self.stopping else { return }
        self.running = true
        let ready = self.idle
        self.idle = []
        for connection in ready {
            self.inFlight += 1
            connection.start(intended: self.now)
        }
    }

    func loadRequestEnded(
        _ connection: BenchConnection<Source>,
        intended: UInt64,
        result: LoadRequestResult,
        reusable: Bool
    ) {
        self.inFlight -= 1
        let now = self.now
        let measured = self.window?.isMeasured(intended) ?? false
        switch result {
        case .answered(let status, let succeeded, let phases):
            self.answers += 1
            self.failures[connection.slot] = 0
            if measured {
                self.recorder.recordAnswer(
                    latencyNanoseconds: now >= intended ? now - intended : 0,
                    status: status,
                    succeeded: succeeded
                )
                if let phases { self.recorder.phases.record(phases) }
            }
        case .timedOut:
            if measured { self.recorder.totals.countTimeout() }
        case .connectionLost:
            if measured { self.recorder.totals.countConnectError(lostRequest: true) }
        }
        if reusable && !self.completed {
            if self.stopping {
                self.idle.append(connection)
            } else {
                self.becameIdle(connection)
            }
        }
        if self.stopping && self.inFlight == 0 { self.complete() }
    }

    // MARK: - End

    /// The window ended: nothing new is sent; the run completes when the last request in flight ends.
    private func stop() {
        guard !self.stopping else { return }
        self.stopping = true
        self.running = false
        self.arrivalTimer?.cancel()
        self.arrivalTimer = nil
        if let schedule = self.schedule {
            self.recorder.totals.unsent += schedule.unsentMeasuredSlots(sent: self.sentSlots)
        }
        // Each request in flight ends within the timeout; this only guards against a lost callback.
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        self.timers.append(
            self.eventLoop.scheduleTask(in: self.timeout + .seconds(1)) { loopBound.value.complete() }
        )
        if self.inFlight == 0 { self.complete() }
    }

    private func complete() {
        guard !self.completed else { return }
        self.completed = true
        self.stopping = true
        for timer in self.timers { timer.cancel() }
        self.timers = []
        self.arrivalTimer?.cancel()
        for timer in self.reconnectTimers { timer?.cancel() }
        var closed: [EventLoopFuture<Void>] = []
        for case let connection? in self.slots {
            if let future = connection.close() { closed.append(future) }
        }
        self.idle = []
        let recorder = self.recorder
        let finished = self.finished
        EventLoopFuture.andAllComplete(closed, on: self.eventLoop).whenComplete { _ in
            finished.succeed(recorder)
        }
    }
}

@available(*, unavailable)
extension LoopWorker: Sendable {}
