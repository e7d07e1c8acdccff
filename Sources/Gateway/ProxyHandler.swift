import ConnectionPool
import HTTPClientPool
import Logging
import NIOCore
import NIOHTTP1

/// The client side of the proxy: one per client connection, last in its pipeline.
///
/// It plans each request from its head, leases an upstream connection from this event loop's pool, and
/// streams the request body up and the response body down as parts arrive, holding reads on whichever
/// side is faster (no body is buffered whole). `HTTPServerPipelineHandler` in front of it serialises
/// pipelined requests, so at most one `Exchange` is alive at a time.
final class ProxyHandler: ChannelDuplexHandler, PooledConnectionOwner {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        /// Waiting for a request head.
        case idle
        /// `exchange` is in progress.
        case proxying
        /// Answered locally; the rest of the request body is read and dropped. With `closeAfter`, the
        /// connection closes once the response is written instead.
        case discarding
        /// The connection is closing; nothing more is read or written.
        case closing
    }

    /// What the client timer is currently measuring.
    enum ClientTimer {
        /// No request bytes since the last response: `keepalive_timeout_ms` (or `client_timeout_ms`
        /// before the first request).
        case idle
        /// Request bytes arrived, head not complete yet: `client_timeout_ms` for the whole head.
        case head
        /// Between two body parts: `client_timeout_ms` for each gap.
        case body
        /// The client is not reading our response: `client_timeout_ms` until it drains.
        case send
    }

    let loop: LoopContext
    let connection: ClientConnectionInfo
    /// Writes below the HTTP codec (set by the channel initializer); weak because it holds us.
    weak var rawOutput: ClientActivityObserver?
    var context: ChannelHandlerContext?
    var state: State = .idle
    var exchange: Exchange?
    /// What the access log and metrics will get for the current request (nil between requests).
    var record: RequestRecord?
    var clientReadHeld = false
    var clientTimer: Scheduled<Void>?
    var clientTimerKind: ClientTimer?
    /// When the client's current wait expires, and when the scheduled task fires (never later).
    var clientDeadline = NIODeadline.distantFuture
    var clientTimerFiresAt = NIODeadline.distantFuture
    var requestsServed = 0
    var upstreamNeedsFlush = false
    var discardedBytes = 0
    /// The client certificate object for the policy, once rendered (`.some(nil)`: none to describe).
    var renderedClientCertificate: ByteBuffer??
    /// The TLS server name (SNI) the client sent, lower-cased; nil on plain HTTP or when none was sent.
    var tlsServerName: String?
    /// The client's verified certificate chain, on listeners that ask for client certificates.
    var verifiedChain: VerifiedChainRecorder?

    init(loop: LoopContext, connection: ClientConnectionInfo) {
        self.loop = loop
        self.connection = connection
    }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { self.armClientTimer(.idle) }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.armClientTimer(.idle)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.teardown()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.teardown()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Decoder errors are answered by `RequestErrorResponder` before they reach us; anything else
        // (TLS, reset) ends the connection.
        self.loop.logger.debug("client connection error", metadata: ["proxy.error": "\(error)"])
        self.teardown()
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.requestHead(head, context: context)
        case .body(let buffer):
            self.requestBody(buffer)
        case .end:
            self.requestEnd()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.upstreamNeedsFlush {
            self.upstreamNeedsFlush = false
            self.exchange?.upstream?.flush()
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if self.clientTimerKind == .send { self.cancelClientTimer() }
            self.exchange?.upstream?.resumeReads()
        } else if self.exchange != nil {
            self.armClientTimer(.send)
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if self.shouldHoldClientReads {
            self.clientReadHeld = true
        } else {
            context.read()
        }
    }

    /// Client reads wait while the request body has nowhere to go: no upstream connection yet, or the
    /// upstream socket is full.
    var shouldHoldClientReads: Bool {
        guard self.state == .proxying, let exchange = self.exchange, !exchange.requestEnded else { return false }
        // A covered request's body is read whole before the policy decides; others wait for a connection.
        guard let upstream = exchange.upstream else { return exchange.policy == nil }
        return !upstream.isWritable
    }

    func resumeClientReadsIfPossible() {
        guard self.clientReadHeld, !self.shouldHoldClientReads, let context = self.context else { return }
        self.clientReadHeld = false
        context.read()
    }

    /// The current request is complete and its response is being produced: more client bytes now can only be
    /// a pipelined request or the client closing.
    var awaitingResponseOnly: Bool {
        self.state == .proxying && self.exchange?.requestEnded == true
    }

    /// Upstream reads wait while the client socket is full.
    var shouldHoldConnectionReads: Bool {
        !(self.context?.channel.isWritable ?? true)
    }

    /// Bytes arrived from the client (seen before HTTP decoding): a request has begun, so the idle timer
    /// gives way to the header timer.
    func clientBytesArrived() {
        if self.clientTimerKind == .idle, self.state == .idle {
            self.armClientTimer(.head)
        }
    }

    // MARK: - Request parts

    func requestHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.cancelClientTimer()
        guard self.state == .idle else {
            // HTTPServerPipelineHandler never delivers a second head before our response ends.
            self.closeConnection()
            return
        }
        self.requestsServed += 1
        let receivedAt = NIODeadline.now()
        let configuration = self.loop.configuration
        let requestID = self.loop.nextRequestID()
        self.record = RequestRecord(requestID: requestID, receivedAt: receivedAt, head: head, clientIP: self.connection.peerIP)
        switch RequestPlanner.plan(
            head: head,
            connection: self.connection,
            serverName: self.connection.scheme == "https" ? (self.tlsServerName ?? "") : nil,
            configuration: configuration
        ) {
        case .respond(let response, let closeConnection, let extraHeaders):
            self.respondLocally(
                response,
                version: head.version,
                accept: head.headers.first(name: "accept"),
                keepAlive: head.isKeepAlive && !closeConnection,
                requestEnded: false,
                receivedAt: receivedAt,
                extraHeaders: extraHeaders
            )
        case .proxy(let plan):
            let pool = self.loop.pool(for: plan.service.key)
            self.record?.route = plan.route.metrics
            self.record?.clientIP = plan.client.clientIP
            let exchange = Exchange(
                id: requestID,
                receivedAt: receivedAt,
                plan: plan,
                pool: pool,
                head: head,
                clientKeepAlive: head.isKeepAlive
            )
            self.exchange = exchange
            self.state = .proxying
            if let instance = plan.route.pingAuth {
                guard self.beginPolicy(exchange, instance: instance) else { return }
            }
            if plan.expectsContinue {
                context.writeAndFlush(
                    self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))),
                    promise: nil
                )
            }
            if plan.bodyFraming.hasBody { self.armClientTimer(.body) }
            if exchange.policy == nil {
                self.leaseUpstream(for: exchange)
            }
        }
    }

    func requestBody(_ buffer: ByteBuffer) {
        self.record?.bytesReceived += buffer.readableBytes
        switch self.state {
        case .proxying:
            guard let exchange = self.exchange else { return }
            exchange.bodyBytesReceived += buffer.readableBytes
            let limit = self.loop.configuration.source.proxy.maxBodyBytes
            if limit > 0 && exchange.bodyBytesReceived > limit {
                self.abortExchange(with: .payloadTooLarge)
                return
            }
            self.armClientTimer(.body)
            if let policy = exchange.policy {
                self.policyRequestBody(exchange, policy: policy, buffer: buffer)
            } else if let upstream = exchange.upstream {
                upstream.write(.body(.byteBuffer(buffer)), promise: nil)
                exchange.bodySentUpstream = true
                self.upstreamNeedsFlush = true
            } else {
                exchange.pendingBody.append(buffer)
            }
        case .discarding:
            // A locally answered request's body is read and dropped, but not without bound.
            self.discardedBytes += buffer.readableBytes
            let limit = self.loop.configuration.source.proxy.maxBodyBytes
            if limit > 0 && self.discardedBytes > limit {
                self.closeConnection()
                return
            }
            self.armClientTimer(.body)
        case .idle, .closing:
            break
        }
    }

    func requestEnd() {
        switch self.state {
        case .proxying:
            self.cancelClientTimer()
            guard let exchange = self.exchange else { return }
            exchange.requestEnded = true
            if let upstream = exchange.upstream {
                upstream.write(.end(nil), promise: nil)
                upstream.flush()
                self.upstreamNeedsFlush = false
            } else if let policy = exchange.policy, policy.requestPayload == nil {
                self.startRequestPhase(exchange, policy: policy)
            }
        case .discarding:
            self.cancelClientTimer()
            self.state = .idle
            self.armClientTimer(.idle)
        case .idle, .closing:
            break
        }
    }

    // MARK: - Teardown

    func closeConnection() {
        guard let context = self.context else { return }
        self.state = .closing
        self.cancelClientTimer()
        context.close(promise: nil)
    }

    /// The client connection is gone: release everything this request held.
    func teardown() {
        self.state = .closing
        self.cancelClientTimer()
        self.clientTimer?.cancel()
        self.clientTimer = nil
        // A request still in progress: its client went away (nginx's 499) unless a status was sent.
        self.finishRecord(statusIfUnanswered: 499)
        guard let exchange = self.exchange else { return }
        self.exchange = nil
        self.releaseResources(of: exchange)
    }

    // MARK: - Observation

    /// Hands the current request's record to the access log and metrics, once.
    func finishRecord(statusIfUnanswered: UInt? = nil) {
        guard var record = self.record else { return }
        self.record = nil
        if record.status == 0 {
            guard let status = statusIfUnanswered else { return }
            record.status = status
        }
        let now = NIODeadline.now()
        record.totalMs = now.milliseconds(since: record.receivedAt)
        if let exchange = self.exchange { record.upstreamMs = exchange.upstreamMilliseconds(asOf: now) }
        self.loop.requestFinished(record)
    }

    /// A request answered below the proxy (400/431 from the HTTP decoder, 408 for a header that never
    /// completed): counted and logged under no route, with what is known of it (often not even a head).
    func recordRefusedRequest(status: UInt) {
        if self.record == nil {
            let unknown = HTTPRequestHead(version: .http1_1, method: .RAW(value: "-"), uri: "-")
            self.record = RequestRecord(
                requestID: self.loop.nextRequestID(),
                receivedAt: .now(),
                head: unknown,
                clientIP: self.connection.peerIP
            )
        }
        self.record?.status = status
        self.finishRecord()
    }

    /// A `ping-auth` decision: counted, and noted for the access log.
    func noteDecision(_ outcome: DecisionOutcome) {
        self.loop.metrics.decision(outcome)
        self.record?.decision = outcome
    }

    /// Response headers with the time each sideband call took (ms), when the latency headers are on.
    func addSidebandLatencyHeaders(_ headers: inout HTTPHeaders) {
        guard let record = self.record else { return }
        if let request = record.sidebandRequestMs {
            headers.add(name: "X-Ping-Auth-Request-Latency", value: String(Int64(request)))
        }
        if let response = record.sidebandResponseMs {
            headers.add(name: "X-Ping-Auth-Response-Latency", value: String(Int64(response)))
        }
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if case ChannelError.connectTimeout = error { return true }
        return false
    }

    /// Whole milliseconds for the latency headers, truncated as Kong writes them.
    static func milliseconds(from start: NIODeadline, to end: NIODeadline) -> Int64 {
        Int64(end.milliseconds(since: start))
    }
}

@available(*, unavailable)
extension ProxyHandler: Sendable {}
