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
    private(set) var state: State = .idle
    var exchange: Exchange?
    private var clientReadHeld = false
    private var clientTimer: Scheduled<Void>?
    private var clientTimerKind: ClientTimer?
    /// When the client's current wait expires, and when the scheduled task fires (never later).
    private var clientDeadline = NIODeadline.distantFuture
    private var clientTimerFiresAt = NIODeadline.distantFuture
    private var requestsServed = 0
    private var upstreamNeedsFlush = false
    private var discardedBytes = 0
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
    private var shouldHoldClientReads: Bool {
        guard self.state == .proxying, let exchange = self.exchange, !exchange.requestEnded else { return false }
        // A covered request's body is read whole before the policy decides; others wait for a connection.
        guard let upstream = exchange.upstream else { return exchange.policy == nil }
        return !upstream.isWritable
    }

    private func resumeClientReadsIfPossible() {
        guard self.clientReadHeld, !self.shouldHoldClientReads, let context = self.context else { return }
        self.clientReadHeld = false
        context.read()
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

    private func requestHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        self.cancelClientTimer()
        guard self.state == .idle else {
            // HTTPServerPipelineHandler never delivers a second head before our response ends.
            self.closeConnection()
            return
        }
        self.requestsServed += 1
        let receivedAt = NIODeadline.now()
        let configuration = self.loop.configuration
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
            let exchange = Exchange(
                id: self.loop.nextRequestID(),
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

    private func requestBody(_ buffer: ByteBuffer) {
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

    private func requestEnd() {
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

    // MARK: - Upstream events (called by the pool and by UpstreamConnectionHandler)

    /// Asks the pool for a connection; the answer may come back before `lease` returns (an idle connection).
    func leaseUpstream(for exchange: Exchange) {
        exchange.awaitingLease = true
        let request = exchange.pool.lease(for: self, connectTimeout: exchange.plan.service.connectTimeout)
        if exchange.awaitingLease { exchange.leaseRequest = request }
    }

    func leaseCompleted(_ result: LeaseResult<ProxyHandler>) {
        guard let exchange = self.exchange, exchange.awaitingLease else {
            if case .leased(let connection, _) = result {
                connection.pool.release(connection, reusable: true)
            }
            return
        }
        exchange.leaseRequest = nil
        exchange.awaitingLease = false
        switch result {
        case .leased(let connection, let reused):
            exchange.upstream = connection
            exchange.reusedConnection = reused
            self.sendRequest(exchange, on: connection)
        case .failed(let error):
            if exchange.connectRetriesLeft > 0, !(error is ConnectionPoolError) {
                exchange.connectRetriesLeft -= 1
                self.leaseUpstream(for: exchange)
                return
            }
            self.loop.logger.warning(
                "upstream connect failed",
                metadata: [
                    "proxy.request_id": "\(exchange.id)", "proxy.upstream": "\(exchange.pool.host):\(exchange.pool.port)",
                    "proxy.error": "\(error)",
                ]
            )
            self.abortExchange(with: Self.isTimeout(error) ? .gatewayTimeout : .badGateway)
        }
    }

    private func sendRequest(_ exchange: Exchange, on connection: UpstreamConnectionHandler) {
        exchange.upstreamSentAt = NIODeadline.now()
        connection.write(.head(exchange.upstreamHead), promise: nil)
        for part in exchange.pendingBody {
            connection.write(.body(.byteBuffer(part)), promise: nil)
            exchange.bodySentUpstream = true
        }
        exchange.pendingBody = []
        if exchange.requestEnded { connection.write(.end(nil), promise: nil) }
        connection.flush()
        self.armUpstreamTimer(exchange, timeout: exchange.plan.service.readTimeout)
        self.resumeClientReadsIfPossible()
    }

    func connectionRead(_ part: HTTPClientResponsePart) {
        guard let exchange = self.exchange, let context = self.context else { return }
        self.armUpstreamTimer(exchange, timeout: exchange.plan.service.readTimeout)
        if let policy = exchange.policy, policy.runsResponsePhase {
            self.collectForResponsePhase(part, exchange: exchange, policy: policy)
            return
        }
        switch part {
        case .head(let upstreamHead):
            exchange.upstreamHeadAt = NIODeadline.now()
            exchange.upstreamKeepAlive = upstreamHead.isKeepAlive
            let head = self.clientResponseHead(for: upstreamHead, exchange: exchange)
            exchange.responseHeadSent = true
            context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        case .body(let buffer):
            context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end:
            self.completeExchange(exchange)
        }
    }

    func connectionReadComplete() {
        self.context?.flush()
    }

    func connectionWritabilityChanged(_ connection: UpstreamConnectionHandler) {
        guard let exchange = self.exchange, exchange.upstream === connection else { return }
        if connection.isWritable {
            self.armUpstreamTimer(exchange, timeout: exchange.plan.service.readTimeout)
            self.resumeClientReadsIfPossible()
        } else {
            self.armUpstreamTimer(exchange, timeout: exchange.plan.service.writeTimeout)
        }
    }

    func connectionClosed(_ connection: UpstreamConnectionHandler) {
        self.upstreamBroke(connection, error: nil)
    }

    func connectionFailed(_ connection: UpstreamConnectionHandler, error: any Error) {
        self.upstreamBroke(connection, error: error)
    }

    private func upstreamBroke(_ connection: UpstreamConnectionHandler, error: (any Error)?) {
        guard let exchange = self.exchange, exchange.upstream === connection else { return }
        exchange.upstream = nil
        exchange.pool.release(connection, reusable: false)
        // A kept-alive connection the upstream closed just as we reused it: nothing was processed, so a
        // request without a body is safe to send again once, on a fresh connection.
        if exchange.reusedConnection, exchange.upstreamHeadAt == nil, !exchange.bodySentUpstream,
            exchange.requestEnded, !exchange.retriedStaleConnection
        {
            exchange.retriedStaleConnection = true
            exchange.upstreamTimer?.cancel()
            self.leaseUpstream(for: exchange)
            return
        }
        self.loop.logger.warning(
            "upstream connection broke",
            metadata: ["proxy.request_id": "\(exchange.id)", "proxy.error": "\(error.map { "\($0)" } ?? "closed")"]
        )
        self.abortExchange(with: .badGateway)
    }

    // MARK: - Completing

    private func clientResponseHead(for upstreamHead: HTTPResponseHead, exchange: Exchange) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.reserveCapacity(upstreamHead.headers.count + 4)
        HeaderRules.appendForwardable(upstreamHead.headers, to: &headers, dropUnderscoreNames: false, alsoDrop: [])
        let status = upstreamHead.status.code
        let bodyless = exchange.isHead || status == 204 || status == 304 || (100..<200).contains(status)
        if exchange.clientVersion.minor == 0, !bodyless, !headers.contains(name: "content-length") {
            // An HTTP/1.0 client cannot be sent a chunked body: the body ends when we close.
            exchange.clientKeepAlive = false
        }
        if self.loop.configuration.source.proxy.latencyHeaders {
            let now = NIODeadline.now()
            let sentAt = exchange.upstreamSentAt ?? now
            headers.add(name: "X-Kong-Upstream-Latency", value: String(Self.milliseconds(from: sentAt, to: exchange.upstreamHeadAt ?? now)))
            headers.add(name: "X-Kong-Proxy-Latency", value: String(Self.milliseconds(from: exchange.receivedAt, to: sentAt)))
        }
        self.addConnectionHeader(&headers, version: exchange.clientVersion, keepAlive: exchange.clientKeepAlive)
        return HTTPResponseHead(version: exchange.clientVersion, status: upstreamHead.status, headers: headers)
    }

    private func completeExchange(_ exchange: Exchange) {
        exchange.upstreamTimer?.cancel()
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            let reusable = exchange.requestEnded && exchange.upstreamKeepAlive
            exchange.pool.release(upstream, reusable: reusable)
        }
        if !exchange.requestEnded {
            // The upstream answered before the request body ended; we will not read the rest.
            exchange.clientKeepAlive = false
        }
        self.finishResponse(keepAlive: exchange.clientKeepAlive)
    }

    /// Writes `.end`, then either waits for the next request or closes.
    func finishResponse(keepAlive: Bool) {
        guard let context = self.context else { return }
        self.exchange = nil
        if keepAlive {
            self.state = self.state == .discarding ? .discarding : .idle
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            if self.state == .idle { self.armClientTimer(.idle) }
        } else {
            self.state = .closing
            self.cancelClientTimer()
            let promise = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: promise)
            let channel = context.channel
            let observer = NIOLoopBound(self.rawOutput, eventLoop: context.eventLoop)
            promise.futureResult.whenComplete { _ in
                if let observer = observer.value {
                    observer.lingerAndClose()
                } else {
                    channel.close(promise: nil)
                }
            }
        }
    }

    /// Ends the current exchange with a local error response, or by closing when the client already has
    /// part of the upstream response.
    func abortExchange(with response: KongErrorResponse) {
        guard let exchange = self.exchange else { return }
        exchange.upstreamTimer?.cancel()
        exchange.policy?.cancel()
        if let request = exchange.leaseRequest {
            exchange.leaseRequest = nil
            exchange.pool.cancel(request)
        }
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            exchange.pool.release(upstream, reusable: false)
        }
        if exchange.responseHeadSent {
            self.exchange = nil
            self.closeConnection()
            return
        }
        let closeAfter = response.status == .payloadTooLarge || !exchange.requestEnded
        self.exchange = nil
        self.respondLocally(
            response,
            version: exchange.clientVersion,
            accept: exchange.acceptHeader,
            keepAlive: exchange.clientKeepAlive && !closeAfter,
            requestEnded: exchange.requestEnded,
            receivedAt: exchange.receivedAt
        )
    }

    // MARK: - Local responses

    func respondLocally(
        _ response: KongErrorResponse,
        version: HTTPVersion,
        accept: String?,
        keepAlive: Bool,
        requestEnded: Bool,
        receivedAt: NIODeadline,
        extraHeaders: [(String, String)] = []
    ) {
        guard let context = self.context else { return }
        let body = response.body(format: .init(accept: accept), allocator: context.channel.allocator)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: KongErrorResponse.Format(accept: accept).contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Server", value: "ping-auth-proxy/\(GatewayVersion.string)")
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        if self.loop.configuration.source.proxy.latencyHeaders {
            headers.add(
                name: "X-Kong-Response-Latency",
                value: String(Self.milliseconds(from: receivedAt, to: NIODeadline.now()))
            )
        }
        self.addConnectionHeader(&headers, version: version, keepAlive: keepAlive)
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: response.status, headers: headers))), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        if keepAlive && !requestEnded {
            self.beginDiscarding()
        }
        self.finishResponse(keepAlive: keepAlive)
    }

    /// The response is (being) written before the request ended: read the rest and drop it.
    func beginDiscarding() {
        self.state = .discarding
        self.discardedBytes = 0
    }

    func addConnectionHeader(_ headers: inout HTTPHeaders, version: HTTPVersion, keepAlive: Bool) {
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
    }

    // MARK: - Timers

    /// Timers are extended lazily: re-arming only moves the deadline, and the one scheduled task, when it
    /// fires early, schedules itself again for the rest. Re-scheduling a task for every body part and
    /// every request was measurable churn on the event loop.
    private func armClientTimer(_ kind: ClientTimer) {
        guard let context = self.context else { return }
        let settings = self.loop.configuration.source.proxy
        let milliseconds: Int
        switch kind {
        case .idle: milliseconds = self.requestsServed == 0 ? settings.clientTimeoutMs : settings.keepaliveTimeoutMs
        case .head, .body, .send: milliseconds = settings.clientTimeoutMs
        }
        let deadline = NIODeadline.now() + .milliseconds(Int64(milliseconds))
        self.clientTimerKind = kind
        self.clientDeadline = deadline
        if self.clientTimer != nil && self.clientTimerFiresAt <= deadline { return }
        self.clientTimer?.cancel()
        self.scheduleClientTimer(at: deadline, on: context.eventLoop)
    }

    private func scheduleClientTimer(at deadline: NIODeadline, on eventLoop: any EventLoop) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        self.clientTimerFiresAt = deadline
        self.clientTimer = eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.clientTimerFired()
        }
    }

    /// Stops timing the client; the scheduled task, if any, finds nothing to do (or is cancelled on close).
    func cancelClientTimer() {
        self.clientTimerKind = nil
    }

    private func clientTimerFired() {
        self.clientTimer = nil
        guard let kind = self.clientTimerKind, let context = self.context else { return }
        if NIODeadline.now() < self.clientDeadline {
            self.scheduleClientTimer(at: self.clientDeadline, on: context.eventLoop)
            return
        }
        self.clientTimerKind = nil
        switch kind {
        case .idle, .send:
            self.closeConnection()
        case .head:
            // Slow or stalled header: answer 408 once, then hang up.
            self.state = .closing
            if let rawOutput = self.rawOutput {
                rawOutput.sendRawAndClose(.requestTimeout)
            } else {
                self.closeConnection()
            }
        case .body:
            if self.exchange != nil {
                self.abortExchange(with: .requestTimeout)
            } else {
                self.closeConnection()
            }
        }
    }

    /// The upstream read (or write) timeout of the current exchange, extended lazily like the client timer.
    func armUpstreamTimer(_ exchange: Exchange, timeout: TimeAmount) {
        guard let context = self.context else { return }
        let deadline = NIODeadline.now() + timeout
        exchange.upstreamDeadline = deadline
        if exchange.upstreamTimer != nil && exchange.upstreamTimerFiresAt <= deadline { return }
        exchange.upstreamTimer?.cancel()
        self.scheduleUpstreamTimer(exchange, at: deadline, on: context.eventLoop)
    }

    private func scheduleUpstreamTimer(_ exchange: Exchange, at deadline: NIODeadline, on eventLoop: any EventLoop) {
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        let exchangeBound = NIOLoopBound(exchange, eventLoop: eventLoop)
        exchange.upstreamTimerFiresAt = deadline
        exchange.upstreamTimer = eventLoop.scheduleTask(deadline: deadline) {
            let handler = loopBound.value
            let exchange = exchangeBound.value
            exchange.upstreamTimer = nil
            guard handler.exchange === exchange else { return }
            if NIODeadline.now() < exchange.upstreamDeadline {
                handler.scheduleUpstreamTimer(exchange, at: exchange.upstreamDeadline, on: eventLoop)
                return
            }
            handler.loop.logger.warning(
                "upstream timed out",
                metadata: ["proxy.request_id": "\(exchange.id)"]
            )
            handler.abortExchange(with: .gatewayTimeout)
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
    private func teardown() {
        self.state = .closing
        self.cancelClientTimer()
        self.clientTimer?.cancel()
        self.clientTimer = nil
        guard let exchange = self.exchange else { return }
        self.exchange = nil
        exchange.upstreamTimer?.cancel()
        exchange.policy?.cancel()
        if let request = exchange.leaseRequest {
            exchange.leaseRequest = nil
            exchange.pool.cancel(request)
        }
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            exchange.pool.release(upstream, reusable: false)
        }
    }

    private static func isTimeout(_ error: any Error) -> Bool {
        if case ChannelError.connectTimeout = error { return true }
        return false
    }

    static func milliseconds(from start: NIODeadline, to end: NIODeadline) -> Int64 {
        max(0, (end - start).nanoseconds / 1_000_000)
    }
}

@available(*, unavailable)
extension ProxyHandler: Sendable {}
