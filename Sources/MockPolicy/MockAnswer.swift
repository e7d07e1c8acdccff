public import NIOCore

/// The mock's answer to one sideband call, plus what the server needs to log it and to act out faults.
public struct MockAnswer: Sendable {
    /// HTTP status of the sideband answer: 200 for every decision (a deny too: PingAuthorize puts it in a
    /// `response` object inside a 200), 400 for a payload that is not a sideband message.
    public var status: Int
    /// The JSON answer body (for a 400, `{"id":...,"code":"INVALID_REQUEST","message":...}`).
    public var body: ByteBuffer
    /// Name of the rule that decided; `"default"` when no rule matched, `""` for a 400.
    public var ruleName: String
    /// `allow` (request unchanged), `modify` (allowed with changes), `deny`, `pass` (response unchanged),
    /// `respond` (response changed), or `error` (malformed payload).
    public var decision: String
    /// `METHOD url` of the request (response phase: followed by the upstream status), for logs.
    public var summary: String
    /// The deciding rule's `latency_ms`, nil when it sets none. The server waits it in addition to
    /// `MockSettings.latencyMs`.
    public var latencyMs: Int?
    /// The deciding rule's `fault`: the server acts it out instead of sending `body`.
    public var fault: MockFault?
    /// The status the gateway's client gets from a `deny` or `respond` answer (its `response_code`), for
    /// the decision log; nil for allows, passes and errors.
    public var clientStatus: Int?

    public init(
        status: Int,
        body: ByteBuffer,
        ruleName: String,
        decision: String,
        summary: String,
        latencyMs: Int? = nil,
        fault: MockFault? = nil,
        clientStatus: Int? = nil
    ) {
        self.status = status
        self.body = body
        self.ruleName = ruleName
        self.decision = decision
        self.summary = summary
        self.latencyMs = latencyMs
        self.fault = fault
        self.clientStatus = clientStatus
    }
}

/// A failure the server acts out instead of answering, so gateways can be tested against a misbehaving
/// policy provider (rule key `fault:`).
public enum MockFault: Sendable, Equatable {
    /// Answer this HTTP status with this body (`fault: {status: 503, body: ...}`). The body defaults to
    /// `{"code":"MOCK_FAULT","message":"injected fault"}`.
    case status(Int, body: String)
    /// Answer 429, with `Retry-After: <value>` when given (`fault: {rate_limit: {retry_after: 2}}`).
    case rateLimit(retryAfter: String?)
    /// Answer 200 with a body that is not JSON (`fault: garbage`).
    case garbage
    /// Close the connection without answering (`fault: drop`).
    case dropConnection
}
