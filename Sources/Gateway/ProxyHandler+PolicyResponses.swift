import GatewayRouter
import NIOCore
import NIOHTTP1
import SidebandClient
import SidebandProtocol

// MARK: - Collecting the upstream response and writing final responses

extension ProxyHandler {
    /// Keeps the upstream response of a covered request until it is complete, then asks the policy.
    func collectForResponsePhase(_ part: HTTPClientResponsePart, exchange: Exchange, policy: PolicyExchange) {
        switch part {
        case .head(let head):
            exchange.upstreamHeadAt = NIODeadline.now()
            exchange.upstreamKeepAlive = head.isKeepAlive
            policy.responseHead = head
        case .body(let buffer):
            if (policy.responseBody?.readableBytes ?? 0) + buffer.readableBytes > policy.instance.config.maxSidebandBodyBytes {
                self.loop.logger.error(
                    "upstream response too large to describe to the policy",
                    metadata: ["proxy.request_id": "\(exchange.id)", "sideband.instance": "\(policy.instance.location)"]
                )
                self.abortUpstream(exchange)
                self.failClosed(exchange)
                return
            }
            policy.appendResponseBody(buffer)
        case .end:
            exchange.upstreamTimer?.cancel()
            if let upstream = exchange.upstream {
                exchange.upstream = nil
                exchange.pool.release(upstream, reusable: exchange.requestEnded && exchange.upstreamKeepAlive)
            }
            self.startResponsePhase(exchange, policy: policy)
        }
    }

    func abortUpstream(_ exchange: Exchange) {
        exchange.upstreamTimer?.cancel()
        if let upstream = exchange.upstream {
            exchange.upstream = nil
            exchange.pool.release(upstream, reusable: false)
        }
    }

    /// Writes a complete response decided by the policy side (deny, final answer, errors) and ends the
    /// exchange. SIDEBAND.md §5: the answer's headers, plus `date` and `vary` of the upstream response
    /// when the answer lacks them; framing and connection headers are ours.
    func respondFromPolicy(
        _ exchange: Exchange,
        status: HTTPResponseStatus,
        policyHeaders: some Sequence<(name: String, value: String)>,
        upstreamHeaders: HTTPHeaders?,
        body: ByteBuffer,
        keepEncoding: Bool = false
    ) {
        guard let context = self.context, self.exchange === exchange else { return }
        self.abortUpstream(exchange)
        exchange.policy?.cancel()
        if exchange.responseHeadSent {
            self.exchange = nil
            self.closeConnection()
            return
        }
        var headers = HTTPHeaders()
        for (name, value) in policyHeaders {
            if HeaderRules.isHopByHop(name) || name.equalsLowercaseASCII("content-length") { continue }
            if !keepEncoding && name.equalsLowercaseASCII("content-encoding") { continue }
            guard HTTPSyntax.isSafeFieldValue(value), HTTPSyntax.isToken(name) else { continue }
            headers.add(name: name, value: value)
        }
        if let upstreamHeaders {
            for name in ["date", "vary"] where !headers.contains(name: name) {
                for value in upstreamHeaders[name] { headers.add(name: name, value: value) }
            }
        }
        let bodyless = exchange.isHead || status.code == 204 || status.code == 304
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if self.loop.configuration.source.proxy.latencyHeaders {
            let now = NIODeadline.now()
            if let sentAt = exchange.upstreamSentAt {
                headers.add(
                    name: "X-Kong-Upstream-Latency",
                    value: String(Self.milliseconds(from: sentAt, to: exchange.upstreamHeadAt ?? now))
                )
                headers.add(name: "X-Kong-Proxy-Latency", value: String(Self.milliseconds(from: exchange.receivedAt, to: sentAt)))
            } else {
                headers.add(name: "X-Kong-Response-Latency", value: String(Self.milliseconds(from: exchange.receivedAt, to: now)))
            }
            self.addSidebandLatencyHeaders(&headers)
        }
        self.record?.status = UInt(status.code)
        // Answered before the request ended: a body still to come cannot be trusted to be skipped, so
        // the connection closes; a request without one just has its end read and dropped.
        let requestPending = !exchange.requestEnded
        if requestPending && exchange.plan.bodyFraming.hasBody { exchange.clientKeepAlive = false }
        self.addConnectionHeader(&headers, version: exchange.clientVersion, keepAlive: exchange.clientKeepAlive)
        exchange.responseHeadSent = true
        context.write(
            self.wrapOutboundOut(.head(HTTPResponseHead(version: exchange.clientVersion, status: status, headers: headers))),
            promise: nil
        )
        if !bodyless && body.readableBytes > 0 {
            self.record?.bytesSent += body.readableBytes
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if requestPending && exchange.clientKeepAlive { self.beginDiscarding() }
        self.finishResponse(keepAlive: exchange.clientKeepAlive)
    }
}

extension ProxyHandler {
    /// A deny or a response-phase answer, as the client gets it.
    func respond(_ exchange: Exchange, with decision: PolicyResponse, upstreamHeaders: HTTPHeaders?) {
        self.respondFromPolicy(
            exchange,
            status: HTTPResponseStatus(statusCode: decision.status),
            policyHeaders: decision.headers,
            upstreamHeaders: upstreamHeaders,
            body: ByteBuffer(string: decision.body)
        )
    }
}

extension RequestPath {
    /// A trusted `X-Forwarded-Path` normalised like our own paths; kept as sent when it is not a valid path.
    static func normalizeOrSelf(_ path: String) -> String {
        RequestPath.normalize(path) ?? path
    }
}
