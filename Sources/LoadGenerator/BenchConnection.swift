import NIOCore
import NIOHTTP1
import NIOTLS

/// How one load request on a connection ended.
enum LoadRequestResult {
    /// The last exchange was answered with `status`; `succeeded` as the source judged the answers;
    /// `phases` as the answer's latency headers reported them (nil: none).
    case answered(status: Int, succeeded: Bool, phases: GatewayPhaseSample?)
    /// An exchange took longer than the timeout (its connection is closed: HTTP/1.1 cannot cancel).
    case timedOut
    /// The connection failed or closed before the answer was complete (reset, TLS failure, the server
    /// closing, or refusing keep-alive between two exchanges of one load request).
    case connectionLost
}

/// The last handler of a load connection: sends one load request at a time (no pipelining), reads its
/// answers, times each exchange, and tells its ``LoopWorker`` when the connection is ready, when a load
/// request ended and when the connection closed. Scheduling is the worker's; this only runs exchanges.
///
/// The timeout timer is extended lazily: each exchange only moves the deadline, and the one scheduled task,
/// when it fires early, schedules itself again for the rest (one timer per timeout period per connection,
/// not one per request).
final class BenchConnection<Source: RequestSource>: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private enum State {
        /// Connecting: not yet active.
        case connecting
        /// Active, no load request on it: the worker may ``start(intended:)`` one.
        case idle
        /// A load request is on it, waiting for the answer to exchange `step`.
        case busy
        /// Closed or closing (after a timeout, an error, or `Connection: close`): whatever still arrives is
        /// dropped; the worker hears of the close once.
        case closed
    }

    /// The worker's slot this connection fills (a replacement takes the same slot).
    let slot: Int
    private weak var worker: LoopWorker<Source>?
    private let source: Source
    private let timeout: TimeAmount
    /// Ready only after the TLS handshake (https targets), so no request's latency includes it.
    private let waitsForHandshake: Bool
    /// Completed once when the connection is ready or has failed: the worker's connect attempt is over.
    private let settled: EventLoopPromise<Void>
    private var state = State.connecting
    private var context: ChannelHandlerContext?

    // The load request on the connection.
    private var intended: UInt64 = 0
    private var step = 0
    private var status = 0
    private var phases: GatewayPhaseSample?
    private var keepAlive = true
    private var body: ByteBuffer?

    // The lazily extended timeout.
    private var deadline = NIODeadline.distantFuture
    private var timer: Scheduled<Void>?
    private var timerFiresAt = NIODeadline.distantFuture

    /// Whether any answer arrived on this connection (a close without one is a failure to back off from).
    private(set) var answered = false
    /// An error while no request was on the connection (a reset while idle, a TLS handshake failure).
    private var failedWhileIdle = false

    init(
        slot: Int,
        worker: LoopWorker<Source>,
        source: Source,
        timeout: TimeAmount,
        waitsForHandshake: Bool,
        settled: EventLoopPromise<Void>
    ) {
        self.slot = slot
        self.worker = worker
        self.source = source
        self.timeout = timeout
        self.waitsForHandshake = waitsForHandshake
        self.settled = settled
    }

    /// The connection attempt is over (ready, refused, or failed its handshake). Idempotent.
    func settle() {
        self.settled.succeed(())
    }

    // MARK: - Worker side

    /// Sends the first exchange of a new load request. `intended` is when it was due (open model) or now
    /// (closed model): its latency counts from there.
    func start(intended: UInt64) {
        guard case .idle = self.state else {
            // The worker only hands requests to idle connections; report the request lost rather than trap.
            self.worker?.loadRequestEnded(self, intended: intended, result: .connectionLost, reusable: false)
            return
        }
        self.state = .busy
        self.intended = intended
        self.step = 0
        self.send(self.source.firstRequest())
    }

    /// Closes the connection; the future completes when it is closed (nil when it never had a channel).
    func close() -> EventLoopFuture<Void>? {
        guard let context = self.context else { return nil }
        let channel = context.channel
        context.close(promise: nil)
        return channel.closeFuture
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if !self.waitsForHandshake { self.becameReady() }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { self.becameReady() }
        context.fireUserInboundEventTriggered(event)
    }

    private func becameReady() {
        guard case .connecting = self.state else { return }
        self.state = .idle
        self.settle()
        self.worker?.connectionReady(self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .busy = self.state else { return }
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.status = Int(head.status.code)
            self.keepAlive = head.isKeepAlive
            self.phases = GatewayPhaseSample.read(head.headers)
        case .body(var part):
            guard self.source.collectsResponseBody else { return }
            if self.body == nil {
                self.body = part
            } else {
                self.body!.writeBuffer(&part)
            }
        case .end:
            self.answerEnded(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch self.state {
        case .busy:
            self.finish(.connectionLost, reusable: false)
        case .connecting, .idle:
            self.failedWhileIdle = true
            self.state = .closed
        case .closed:
            break
        }
        self.settle()
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .busy = self.state {
            self.finish(.connectionLost, reusable: false)
        }
        self.state = .closed
        self.settle()
        self.timer?.cancel()
        self.timer = nil
        self.worker?.connectionClosed(self, failed: self.failedWhileIdle)
        context.fireChannelInactive()
    }

    // MARK: - Exchanges

    private func send(_ request: BenchRequest) {
        guard let context = self.context else { return }
        self.status = 0
        self.phases = nil
        self.keepAlive = true
        self.body = nil
        self.armTimer(on: context.eventLoop)
        request.write(on: context)
    }

    private func answerEnded(context: ChannelHandlerContext) {
        self.answered = true
        let body = self.body ?? ByteBuffer()
        self.body = nil
        switch self.source.next(afterStep: self.step, status: self.status, body: body) {
        case .send(let request):
            guard self.keepAlive else {
                // The next exchange must go on this connection, which the server is closing.
                self.finish(.connectionLost, reusable: false)
                context.close(promise: nil)
                return
            }
            self.step += 1
            self.send(request)
        case .done(let succeeded):
            let keepAlive = self.keepAlive
            self.finish(.answered(status: self.status, succeeded: succeeded, phases: self.phases), reusable: keepAlive)
            if !keepAlive { context.close(promise: nil) }
        }
    }

    /// Ends the load request: idle again when `reusable`, otherwise closed (the caller closes the channel).
    private func finish(_ result: LoadRequestResult, reusable: Bool) {
        self.deadline = .distantFuture
        self.state = reusable ? .idle : .closed
        // Last: the worker may start the next load request on this connection right away.
        self.worker?.loadRequestEnded(self, intended: self.intended, result: result, reusable: reusable)
    }

    // MARK: - Timeout

    private func armTimer(on eventLoop: any EventLoop) {
        let deadline = NIODeadline.now() + self.timeout
        self.deadline = deadline
        if self.timer != nil && self.timerFiresAt <= deadline { return }
        self.timer?.cancel()
        self.scheduleTimer(at: deadline, on: eventLoop)
    }

    private func scheduleTimer(at deadline: NIODeadline, on eventLoop: any EventLoop) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        self.timerFiresAt = deadline
        self.timer = eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.timerFired()
        }
    }

    private func timerFired() {
        self.timer = nil
        guard case .busy = self.state, let context = self.context else { return }
        if NIODeadline.now() < self.deadline {
            self.scheduleTimer(at: self.deadline, on: context.eventLoop)
            return
        }
        self.finish(.timedOut, reusable: false)
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension BenchConnection: Sendable {}
