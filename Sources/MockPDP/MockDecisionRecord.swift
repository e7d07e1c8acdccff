public import Foundation

/// One sideband call the mock answered, as `GET /_mock/decisions` and `MockPDPServer.decisions` show it.
///
/// Kept for developers watching a gateway talk to the mock: which rule decided, what it decided, and what
/// went back on the wire. Calls refused before a decision (wrong secret, injected error rate) are kept
/// too, because "why did the gateway get a 401" is the first question a developer asks.
public struct MockDecisionRecord: Sendable, Equatable, Codable {
    /// Which of the two Sideband API calls was answered.
    public enum Phase: String, Sendable, Hashable, Codable {
        /// `POST …/sideband/request`.
        case request
        /// `POST …/sideband/response`.
        case response
    }

    /// When the answer was sent (or the connection dropped).
    public var time: Date
    public var phase: Phase
    /// The deciding rule; `"default"` when no rule matched, `"forward"` for a forwarded call, `"replay"`
    /// for a replayed one, `""` when the call was refused before any rule ran (401, error rate).
    public var rule: String
    /// The engine's decision (`allow`, `modify`, `deny`, `pass`, `respond`, `error`), or `unauthorized`,
    /// `error_rate`, `not_recorded`, `provider_failed` for calls the mock refused itself.
    public var decision: String
    /// HTTP status of the sideband answer (a deny too is a 200); 0 when the connection was dropped on
    /// purpose.
    public var status: Int
    /// For `deny` and `respond` decisions, the status the client gets (the answer's `response_code`);
    /// nil otherwise.
    public var clientStatus: Int?
    /// `METHOD url` of the described request (response phase: followed by the upstream status).
    public var summary: String
    /// Milliseconds from the end of the call to the answer, injected latency included.
    public var latencyMs: Double
    /// The fault acted out instead of a decision (`status`, `rate_limit`, `garbage`, `drop`, `error_rate`);
    /// nil for ordinary answers.
    public var fault: String?

    public init(
        time: Date,
        phase: Phase,
        rule: String,
        decision: String,
        status: Int,
        clientStatus: Int? = nil,
        summary: String,
        latencyMs: Double,
        fault: String? = nil
    ) {
        self.time = time
        self.phase = phase
        self.rule = rule
        self.decision = decision
        self.status = status
        self.clientStatus = clientStatus
        self.summary = summary
        self.latencyMs = latencyMs
        self.fault = fault
    }

    enum CodingKeys: String, CodingKey {
        case time, phase, rule, decision, status, summary, fault
        case latencyMs = "latency_ms"
        case clientStatus = "client_status"
    }
}
