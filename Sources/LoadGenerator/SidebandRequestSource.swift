public import NIOCore
import NIOHTTP1
public import SidebandClient
import SidebandProtocol

/// The `sideband` target: the calls a gateway makes for one client request, with the gateway's own
/// serializer (`SidebandPayloadWriter`) and parser (`SidebandAnswerParser`).
///
/// A load request is `POST {base}/sideband/request` carrying the template's description; with the response
/// phase on and an allow answer, it goes on with `POST {base}/sideband/response` describing the template's
/// upstream response, with the answer's `state` when it had one and otherwise the whole request payload as
/// `request` (SIDEBAND.md §4), exactly as the gateway builds it. A deny ends the load request (the gateway
/// would not call the response phase either).
///
/// Succeeded: every call answered 2xx with an answer our parser accepts (a deny is a valid answer).
/// Anything else is a status error.
public struct SidebandRequestSource: RequestSource {
    /// The request phase's call; the same bytes every time (the payload is written once).
    public let requestCall: BenchRequest
    /// Whether an allow goes on to `/sideband/response`.
    public let responsePhase: Bool

    private let requestPayload: ByteBuffer
    /// The `url` value of the request payload (escaped, without quotes): a slice of `requestPayload`, reused
    /// by every response-phase payload as the gateway does.
    private let urlJSON: ByteBuffer
    private let responseTarget: String
    private let baseHeaders: HTTPHeaders
    private let template: RequestTemplate
    private let upstreamHeaders: [(name: String, value: String)]
    private let upstreamBody: ByteBuffer
    /// The response-phase call after an allow without `state`: every part of it is fixed, so it is built
    /// once.
    private var statelessResponseCall: BenchRequest?

    /// - Parameters:
    ///   - endpoint: the provider (the plugin's `service_url`), worked out by the gateway's own
    ///     `SidebandEndpoint`: the same request targets and `Host` header as the gateway's calls.
    ///   - template: the client request to describe (and the upstream response for the response phase).
    ///   - secretHeaderName: the shared-secret header (PingAuthorize's default `CLIENT-TOKEN`).
    ///   - sharedSecret: nil: no secret header (a mock without `shared_secrets`).
    ///   - responsePhase: whether allows go on to `/sideband/response`.
    public init(
        endpoint: SidebandEndpoint,
        template: RequestTemplate,
        secretHeaderName: String,
        sharedSecret: String?,
        responsePhase: Bool
    ) {
        self.template = template
        self.responsePhase = responsePhase
        self.responseTarget = endpoint.responsePath

        var headers = HTTPHeaders()
        headers.add(name: "Host", value: endpoint.hostHeader)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "User-Agent", value: "ping-auth-proxy-bench")
        if let sharedSecret { headers.add(name: secretHeaderName, value: sharedSecret) }
        self.baseHeaders = headers

        let description = SidebandRequestDescription(
            sourceIP: template.sourceIP,
            sourcePort: template.sourcePort,
            method: template.method,
            scheme: template.url.scheme.rawValue,
            host: template.url.host,
            port: template.url.port,
            path: template.url.path,
            query: template.url.query.map { Substring($0) },
            httpVersion: template.httpVersion,
            headers: template.headers.map { (name: $0.name, value: $0.value) },
            body: template.body.isEmpty ? .empty : .bytes(ByteBuffer(string: template.body)),
            clientCertificate: nil
        )
        var payload = ByteBuffer()
        payload.reserveCapacity(1024 + template.body.utf8.count)
        let urlRange = SidebandPayloadWriter.writeRequest(description, into: &payload)
        self.requestPayload = payload
        self.urlJSON = payload.getSlice(at: urlRange.lowerBound, length: urlRange.count) ?? ByteBuffer()
        self.requestCall = Self.call(target: endpoint.requestPath, headers: headers, payload: payload)

        self.upstreamHeaders = template.response.headers.map { (name: $0.name, value: $0.value) }
        self.upstreamBody = ByteBuffer(string: template.response.body)
        self.statelessResponseCall = self.responseCall(state: nil)
    }

    /// The request payload every load request sends (for tests and `--verbose` tools).
    public var requestPayloadText: String { String(buffer: self.requestPayload) }

    public var collectsResponseBody: Bool { true }

    public func firstRequest() -> BenchRequest { self.requestCall }

    public func next(afterStep step: Int, status: Int, body: ByteBuffer) -> BenchStep {
        guard (200..<300).contains(status) else { return .done(succeeded: false) }
        if step > 0 {
            do {
                _ = try SidebandAnswerParser.parseResponseAnswer(body)
                return .done(succeeded: true)
            } catch {
                return .done(succeeded: false)
            }
        }
        let decision: RequestDecision
        do {
            decision = try SidebandAnswerParser.parseRequestAnswer(body)
        } catch {
            return .done(succeeded: false)
        }
        switch decision {
        case .deny:
            return .done(succeeded: true)
        case .allow(let allowed):
            guard self.responsePhase else { return .done(succeeded: true) }
            return .send(self.responseCall(state: allowed.state))
        }
    }

    /// The `/sideband/response` call for an allow that returned `state` (or none).
    private func responseCall(state: ByteBuffer?) -> BenchRequest {
        if state == nil, let cached = self.statelessResponseCall { return cached }
        let context: SidebandPayloadWriter.ResponseContext =
            state.map { .state($0) } ?? .request(self.requestPayload)
        var payload = ByteBuffer()
        payload.reserveCapacity(
            512 + self.upstreamBody.readableBytes + (state?.readableBytes ?? self.requestPayload.readableBytes)
        )
        SidebandPayloadWriter.writeResponse(
            method: self.template.method,
            url: self.urlJSON,
            httpVersion: self.template.httpVersion,
            statusCode: self.template.response.status,
            headers: self.upstreamHeaders,
            body: self.upstreamBody.readableBytes == 0 ? .empty : .bytes(self.upstreamBody),
            context: context,
            into: &payload
        )
        return Self.call(target: self.responseTarget, headers: self.baseHeaders, payload: payload)
    }

    private static func call(target: String, headers: HTTPHeaders, payload: ByteBuffer) -> BenchRequest {
        var headers = headers
        headers.add(name: "Content-Length", value: String(payload.readableBytes))
        return BenchRequest(
            head: HTTPRequestHead(version: .http1_1, method: .POST, uri: target, headers: headers),
            body: payload
        )
    }
}
