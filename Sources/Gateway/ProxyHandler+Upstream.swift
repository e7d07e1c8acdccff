import ConnectionPool
import HTTPClientPool
import Logging
import NIOCore
import NIOHTTP1

/// The upstream side of an exchange: leasing a connection, relaying the response, finishing.
extension ProxyHandler {
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

    func sendRequest(_ exchange: Exchange, on connection: UpstreamConnectionHandler) {
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
            self.record?.bytesSent += buffer.readableBytes
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

    func upstreamBroke(_ connection: UpstreamConnectionHandler, error: (any Error)?) {
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

    func clientResponseHead(for upstreamHead: HTTPResponseHead, exchange: Exchange) -> HTTPResponseHead {
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
            self.addSidebandLatencyHeaders(&headers)
        }
        self.record?.status = UInt(status)
        self.addConnectionHeader(&headers, version: exchange.clientVersion, keepAlive: exchange.clientKeepAlive)
        return HTTPResponseHead(version: exchange.clientVersion, status: upstreamHead.status, headers: headers)
    }

    func completeExchange(_ exchange: Exchange) {
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
        self.finishRecord()
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
        self.releaseResources(of: exchange)
        // The exchange is dropped before the local answer is written: keep its upstream time now.
        self.record?.upstreamMs = exchange.upstreamMilliseconds(asOf: .now())
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

    /// Stops everything an exchange holds: its timer, its sideband call, its pending lease, and its
    /// upstream connection (not reusable: it may carry half an exchange).
    func releaseResources(of exchange: Exchange) {
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
}
