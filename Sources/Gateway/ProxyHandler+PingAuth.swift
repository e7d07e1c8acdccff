import GatewayRouter
import Glibc
import Logging
import NIOCore
import NIOHTTP1
import SidebandClient
import SidebandProtocol

/// The `ping-auth` phases of a covered request (SIDEBAND.md): collect the body, ask `/sideband/request`,
/// apply the decision, proxy, collect the upstream response, ask `/sideband/response`, answer the client.
/// Every provider failure fails closed (502, empty body) unless `fail_open`.
extension ProxyHandler {
    /// Sets up the policy side of a request whose route is covered. Returns false when it answered the
    /// request itself (circuit open, body declared too large).
    func beginPolicy(_ exchange: Exchange, instance: PingAuthInstance) -> Bool {
        let now = NIODeadline.now()
        if let secondsLeft = instance.breaker.secondsLeftOpen(now: now.uptimeNanoseconds) {
            self.respondRateLimited(exchange, retryAfter: secondsLeft)
            return false
        }
        if case .contentLength(let length) = exchange.plan.bodyFraming, length > instance.config.maxSidebandBodyBytes {
            self.abortExchange(with: .payloadTooLarge)
            return false
        }
        // The shared secret is the provider's, never the upstream's: a client cannot smuggle one through.
        exchange.upstreamHead.headers.remove(name: instance.config.secretHeaderName)
        exchange.policy = PolicyExchange(instance: instance, client: self.loop.sidebandClient(for: instance))
        return true
    }

    /// A body part of a covered request: kept whole for the policy, within `max_sideband_body_bytes`.
    func policyRequestBody(_ exchange: Exchange, policy: PolicyExchange, buffer: ByteBuffer) {
        if exchange.bodyBytesReceived > policy.instance.config.maxSidebandBodyBytes {
            self.abortExchange(with: .payloadTooLarge)
            return
        }
        policy.appendRequestBody(buffer)
    }

    // MARK: - Request phase

    func startRequestPhase(_ exchange: Exchange, policy: PolicyExchange) {
        let plan = exchange.plan
        let head = exchange.clientHead
        let body: SidebandBody
        if let requestBody = policy.requestBody, requestBody.readableBytes > 0 {
            if UTF8Validation.isValid(requestBody.readableBytesView) {
                body = .bytes(requestBody)
                policy.describedBody = true
            } else if policy.instance.describesBody(contentType: head.headers.first(name: "content-type")) {
                self.respondPolicyError(exchange, status: .unsupportedMediaType)
                return
            } else {
                body = .omitted
            }
        } else {
            body = .empty
            policy.describedBody = true
        }
        let forwarded = plan.forwarded
        policy.describedScheme = forwarded.proto
        policy.describedHost = Self.hostWithoutPort(forwarded.host)
        policy.describedPort = Int(forwarded.port) ?? self.connection.listenerPort
        policy.describedPath =
            plan.client.trusted && head.headers.contains(name: "x-forwarded-path")
            ? RequestPath.normalizeOrSelf(forwarded.path) : plan.normalizedPath
        let description = SidebandRequestDescription(
            sourceIP: plan.client.clientIP,
            sourcePort: plan.client.peerPort,
            method: head.method.rawValue,
            scheme: policy.describedScheme,
            host: policy.describedHost,
            port: policy.describedPort,
            path: policy.describedPath,
            query: plan.query,
            httpVersion: head.version.minor == 0 ? "1.0" : "1.1",
            headers: head.headers,
            body: body,
            clientCertificate: self.clientCertificateJSON(includeFullChain: policy.instance.config.includeFullCertChain)
        )
        var payload = self.context?.channel.allocator.buffer(capacity: 1024 + (policy.requestBody?.readableBytes ?? 0))
            ?? ByteBuffer()
        let urlRange = SidebandPayloadWriter.writeRequest(description, into: &payload)
        policy.urlJSON = payload.getSlice(at: urlRange.lowerBound, length: urlRange.count)
        policy.requestPayload = payload
        self.logExchange(policy, phase: .request, payload: payload)
        let exchangeBound = exchange
        policy.callStartedAt = .now()
        policy.call = policy.client.send(.request, payload: payload) { [weak self] result in
            guard let self, self.exchange === exchangeBound else { return }
            policy.call = nil
            self.sidebandCallEnded(policy, phase: .request)
            self.requestPhaseCompleted(exchangeBound, policy: policy, result: result)
        }
    }

    func requestPhaseCompleted(
        _ exchange: Exchange,
        policy: PolicyExchange,
        result: Result<SidebandHTTPResponse, SidebandCallError>
    ) {
        switch self.classify(result, exchange: exchange, policy: policy, phase: .request) {
        case .answered:
            return
        case .failed:
            if policy.instance.config.failOpen {
                // No decision to apply and none to come: the request goes through untouched.
                self.noteDecision(.failOpen)
                policy.runsResponsePhase = false
                self.proceedUpstream(exchange, body: policy.requestBody)
            } else {
                self.failClosed(exchange)
            }
        case .decision(let body):
            let decision: RequestDecision
            do {
                decision = try SidebandAnswerParser.parseRequestAnswer(body)
            } catch {
                self.logProviderProblem(policy, phase: .request, "answer is not a decision: \(error)")
                self.failClosed(exchange)
                return
            }
            switch decision {
            case .deny(let deny):
                self.noteDecision(.deny)
                self.respond(exchange, with: deny, upstreamHeaders: nil)
            case .allow(let allowed):
                self.noteDecision(.allow)
                policy.state = allowed.state
                self.applyAllow(exchange, policy: policy, allowed: allowed)
            }
        }
    }

    func applyAllow(_ exchange: Exchange, policy: PolicyExchange, allowed: AllowedRequest) {
        let plan = exchange.plan
        let head = exchange.clientHead
        let changes = RequestDiff.changes(
            sentHeaders: head.headers,
            sentMethod: head.method.rawValue,
            sentScheme: policy.describedScheme,
            sentHost: policy.describedHost,
            sentPort: policy.describedPort,
            sentPath: policy.describedPath,
            sentQuery: plan.query,
            sentBody: policy.describedBody ? .bytes(policy.requestBody ?? ByteBuffer()) : .omitted,
            answer: allowed
        )
        var upstream = exchange.upstreamHead
        for name in changes.removeHeaders where Self.policyMayChange(name) {
            upstream.headers.remove(name: name)
        }
        for (name, values) in changes.setHeaders where Self.policyMayChange(name) {
            upstream.headers.remove(name: name)
            for value in values { upstream.headers.add(name: name, value: value) }
        }
        if let method = changes.method { upstream.method = HTTPMethod(rawValue: method) }
        if changes.path != nil || changes.query != nil {
            let current = upstream.uri[...]
            let question = current.firstIndex(of: "?")
            var path = String(question.map { current[..<$0] } ?? current)
            var query = question.map { String(current[current.index(after: $0)...]) }
            if let newPath = changes.path { path = newPath }
            if let newQuery = changes.query { query = newQuery }
            upstream.uri = query.map { "\(path)?\($0)" } ?? path
        }
        if let host = changes.hostHeader { upstream.headers.replaceOrAdd(name: "Host", value: host) }
        for field in allowed.unsupportedChanges(
            sentSourceIP: plan.client.clientIP,
            sentSourcePort: plan.client.peerPort,
            sentClientCertificate: self.clientCertificateJSON(includeFullChain: policy.instance.config.includeFullCertChain)
        ) {
            self.loop.logger.warning(
                "policy provider attempted to modify request field that's not supported",
                metadata: ["proxy.request_id": "\(exchange.id)", "sideband.field": "\(field)"]
            )
        }
        if changes.schemeChanged {
            self.loop.logger.warning(
                "policy provider attempted to change the request scheme, which is not supported",
                metadata: ["proxy.request_id": "\(exchange.id)", "sideband.instance": "\(policy.instance.location)"]
            )
        }
        var body = policy.requestBody
        if let newBody = changes.body {
            body = ByteBuffer(string: newBody)
            upstream.headers.remove(name: "transfer-encoding")
            upstream.headers.replaceOrAdd(name: "Content-Length", value: String(newBody.utf8.count))
        }
        if policy.instance.config.stripAcceptEncoding {
            // PingAuthorize cannot read compressed response bodies.
            upstream.headers.remove(name: "accept-encoding")
        }
        exchange.upstreamHead = upstream
        self.proceedUpstream(exchange, body: body)
    }

    /// Framing, connection management and our forwarding headers stay ours whatever the policy says.
    static func policyMayChange(_ name: String) -> Bool {
        !(HeaderRules.isHopByHop(name) || name.equalsLowercaseASCII("content-length")
            || name.equalsLowercaseASCII("host"))
    }

    /// Sends the (possibly changed) request upstream with its whole body.
    func proceedUpstream(_ exchange: Exchange, body: ByteBuffer?) {
        if let body, body.readableBytes > 0 { exchange.pendingBody = [body] }
        self.leaseUpstream(for: exchange)
    }

    // MARK: - Response phase

    /// The upstream response of a covered request has fully arrived.
    func startResponsePhase(_ exchange: Exchange, policy: PolicyExchange) {
        guard let upstreamHead = policy.responseHead, let urlJSON = policy.urlJSON else {
            self.failClosed(exchange)
            return
        }
        var responseBody = policy.responseBody ?? ByteBuffer()
        var describedHeaders = upstreamHead.headers
        if let encoding = upstreamHead.headers.first(name: "content-encoding")?.lowercased(), responseBody.readableBytes > 0 {
            // PingAuthorize cannot read compressed bodies: describe the decoded one.
            guard let decoded = ResponseDecoding.decode(responseBody, encoding: encoding,
                limit: policy.instance.config.maxSidebandBodyBytes)
            else {
                self.logProviderProblem(policy, phase: .response, "cannot decode a \(encoding) upstream body")
                self.failClosed(exchange)
                return
            }
            responseBody = decoded
            describedHeaders.remove(name: "content-encoding")
            describedHeaders.remove(name: "content-length")
        }
        let body: SidebandBody
        if responseBody.readableBytes == 0 {
            body = .empty
        } else if UTF8Validation.isValid(responseBody.readableBytesView) {
            body = .bytes(responseBody)
        } else if policy.instance.describesBody(contentType: upstreamHead.headers.first(name: "content-type")) {
            self.respondPolicyError(exchange, status: .unsupportedMediaType)
            return
        } else {
            body = .omitted
        }
        var headers = HTTPHeaders()
        HeaderRules.appendForwardable(describedHeaders, to: &headers, dropUnderscoreNames: false, alsoDrop: [])
        let context: SidebandPayloadWriter.ResponseContext =
            policy.state.map { .state($0) } ?? .request(policy.requestPayload ?? ByteBuffer())
        var payload = self.context?.channel.allocator.buffer(capacity: 512 + responseBody.readableBytes
            + (policy.requestPayload?.readableBytes ?? 0)) ?? ByteBuffer()
        SidebandPayloadWriter.writeResponse(
            method: exchange.clientHead.method.rawValue,
            url: urlJSON,
            httpVersion: exchange.clientVersion.minor == 0 ? "1.0" : "1.1",
            statusCode: Int(upstreamHead.status.code),
            headers: headers,
            body: body,
            context: context,
            into: &payload
        )
        self.logExchange(policy, phase: .response, payload: payload)
        let exchangeBound = exchange
        policy.callStartedAt = .now()
        policy.call = policy.client.send(.response, payload: payload) { [weak self] result in
            guard let self, self.exchange === exchangeBound else { return }
            policy.call = nil
            self.sidebandCallEnded(policy, phase: .response)
            self.responsePhaseCompleted(exchangeBound, policy: policy, result: result)
        }
    }

    func responsePhaseCompleted(
        _ exchange: Exchange,
        policy: PolicyExchange,
        result: Result<SidebandHTTPResponse, SidebandCallError>
    ) {
        switch self.classify(result, exchange: exchange, policy: policy, phase: .response) {
        case .answered:
            return
        case .failed:
            if policy.instance.config.failOpen, let head = policy.responseHead {
                // The upstream response passes unmodified.
                self.noteDecision(.failOpen)
                var headers = HTTPHeaders()
                HeaderRules.appendForwardable(head.headers, to: &headers, dropUnderscoreNames: false, alsoDrop: [])
                headers.remove(name: "content-length")
                self.respondFromPolicy(
                    exchange, status: head.status, policyHeaders: headers, upstreamHeaders: nil,
                    body: policy.responseBody ?? ByteBuffer(), keepEncoding: true
                )
            } else {
                self.failClosed(exchange)
            }
        case .decision(let body):
            let decision: ResponseDecision
            do {
                decision = try SidebandAnswerParser.parseResponseAnswer(body)
            } catch {
                self.logProviderProblem(policy, phase: .response, "answer is not a response: \(error)")
                self.failClosed(exchange)
                return
            }
            self.respond(exchange, with: decision, upstreamHeaders: policy.responseHead?.headers)
        }
    }

    // MARK: - Provider answers

    enum ProviderOutcome {
        /// No usable answer (unreachable, TLS, timeout, 5xx, 4xx not passed through): the phase decides
        /// between failing closed and `fail_open`.
        case failed
        /// Already answered the same way in both phases: a passthrough status relayed, or 429 (the
        /// instance's circuit is now open).
        case answered
        /// 2xx: the body is the decision.
        case decision(ByteBuffer)
    }

    /// What the provider's HTTP answer means, whichever the phase.
    func classify(
        _ result: Result<SidebandHTTPResponse, SidebandCallError>,
        exchange: Exchange,
        policy: PolicyExchange,
        phase: SidebandPhase
    ) -> ProviderOutcome {
        switch result {
        case .failure(let error):
            self.logProviderProblem(policy, phase: phase, error.description)
            return .failed
        case .success(let response):
            policy.correlationID = response.correlationID ?? policy.correlationID
            self.record?.correlationID = policy.correlationID
            if self.loop.logger.logLevel <= .debug, policy.instance.config.enableDebugLogging {
                self.loop.logger.debug(
                    "sideband answer",
                    metadata: [
                        "sideband.phase": "\(phase.label)", "sideband.status": "\(response.status)",
                        "sideband.correlation_id": "\(response.correlationID ?? "-")",
                        "sideband.body": "\(SidebandRedaction.redacted(response.body, headers: policy.instance.redactedHeaders))",
                    ]
                )
            }
            switch response.status {
            case 200..<300:
                return .decision(response.body)
            case 429:
                let now = NIODeadline.now().uptimeNanoseconds
                let retryAfter = RetryAfter.parse(response.headers.first(name: "retry-after"), now: Int64(time(nil)))
                let seconds = CircuitBreaker.openWindowSeconds(retryAfterSeconds: retryAfter)
                policy.instance.breaker.open(forSeconds: seconds, now: now)
                self.respondRateLimited(exchange, retryAfter: policy.instance.breaker.secondsLeftOpen(now: now) ?? seconds)
                return .answered
            case let status where policy.instance.passthroughStatusCodes.contains(status):
                self.noteDecision(.deny)
                self.respondFromProvider(exchange, response: response)
                return .answered
            default:
                let summary = SidebandAnswerParser.errorSummary(response.body)
                self.logProviderProblem(
                    policy, phase: phase,
                    "provider answered \(response.status): \(summary.message ?? "-") id=\(summary.id ?? "-") code=\(summary.code ?? "-")"
                )
                return .failed
            }
        }
    }

    /// Times the call that just ended (whatever its result) for the latency headers, the access log and
    /// `ping_auth_sideband_latency_ms`.
    func sidebandCallEnded(_ policy: PolicyExchange, phase: SidebandPhase) {
        let milliseconds = NIODeadline.now().milliseconds(since: policy.callStartedAt)
        switch phase {
        case .request:
            self.record?.sidebandRequestMs = milliseconds
            self.loop.metrics.sidebandRequestLatency.record(milliseconds)
        case .response:
            self.record?.sidebandResponseMs = milliseconds
            self.loop.metrics.sidebandResponseLatency.record(milliseconds)
        }
    }

    func logProviderProblem(_ policy: PolicyExchange, phase: SidebandPhase, _ message: String) {
        self.loop.logger.error(
            "sideband call failed",
            metadata: [
                "sideband.phase": "\(phase.label)", "sideband.instance": "\(policy.instance.location)",
                "sideband.correlation_id": "\(policy.correlationID ?? "-")", "sideband.error": "\(message)",
            ]
        )
    }

    func logExchange(_ policy: PolicyExchange, phase: SidebandPhase, payload: ByteBuffer) {
        guard policy.instance.config.enableDebugLogging, self.loop.logger.logLevel <= .debug else { return }
        self.loop.logger.debug(
            "sideband call",
            metadata: [
                "sideband.phase": "\(phase.label)", "sideband.instance": "\(policy.instance.location)",
                "sideband.payload": "\(SidebandRedaction.redacted(payload, headers: policy.instance.redactedHeaders))",
            ]
        )
    }

    // MARK: - Answers to the client

    /// 502/415/... with an empty body: the policy path fails closed without pretending to be Kong's
    /// upstream error page.
    func respondPolicyError(_ exchange: Exchange, status: HTTPResponseStatus) {
        self.respondFromPolicy(exchange, status: status, policyHeaders: HTTPHeaders(), upstreamHeaders: nil, body: ByteBuffer())
    }

    /// No usable policy answer: 502 with an empty body, counted as an `error` decision.
    func failClosed(_ exchange: Exchange) {
        self.noteDecision(.error)
        self.respondPolicyError(exchange, status: .badGateway)
    }

    /// The instance's circuit is open (or the provider just opened it with a 429): counted as
    /// `circuit_open`, answered 429 with `Retry-After`.
    func respondRateLimited(_ exchange: Exchange, retryAfter: Int) {
        self.noteDecision(.circuitOpen)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Retry-After", value: String(retryAfter))
        self.respondFromPolicy(
            exchange,
            status: .tooManyRequests,
            policyHeaders: headers,
            upstreamHeaders: nil,
            body: ByteBuffer(string: CircuitBreaker.limitExceededBody(retryAfterSeconds: retryAfter))
        )
    }

    /// A passthrough status (413 by default): the provider's body as JSON.
    func respondFromProvider(_ exchange: Exchange, response: SidebandHTTPResponse) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        self.respondFromPolicy(
            exchange,
            status: HTTPResponseStatus(statusCode: response.status),
            policyHeaders: headers,
            upstreamHeaders: nil,
            body: response.body
        )
    }

    static func hostWithoutPort(_ host: String) -> String {
        HostAndPort(host)?.host ?? host.lowercased()
    }
}
