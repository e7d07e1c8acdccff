import MockPolicy
import NIOCore

/// What the mock sends back for one sideband call, once any latency has passed.
enum MockOutcome: Sendable {
    /// An HTTP answer; `headers` are added to (or replace) the mock's own `Content-Type`, and may carry a
    /// `Correlation-Id` to use instead of a fresh one.
    case answer(status: Int, body: ByteBuffer, headers: [(name: String, value: String)])
    /// Close the connection without answering.
    case drop

    /// The status for logs and the decision log; 0 for a dropped connection.
    var status: Int {
        switch self {
        case .answer(let status, _, _): status
        case .drop: 0
        }
    }

    /// How the server acts out a rule's `fault`, and the fault's label for the decision log.
    static func acting(_ fault: MockFault) -> (outcome: MockOutcome, label: String) {
        switch fault {
        case .status(let status, let body):
            return (.answer(status: status, body: ByteBuffer(string: body), headers: []), "status")
        case .rateLimit(let retryAfter):
            let headers: [(name: String, value: String)] = retryAfter.map { [("Retry-After", $0)] } ?? []
            return (.answer(status: 429, body: MockPDPBodies.rateLimited(), headers: headers), "rate_limit")
        case .garbage:
            return (.answer(status: 200, body: MockPDPBodies.garbage(), headers: []), "garbage")
        case .dropConnection:
            return (.drop, "drop")
        }
    }
}

/// Everything about a call that its decision log entry and log line need, besides the final status.
struct DecisionNote: Sendable {
    var phase: MockDecisionRecord.Phase
    var rule: String
    var decision: String
    var summary: String
    var fault: String?
    /// The status the decision gives the client (deny and respond decisions), nil otherwise.
    var clientStatus: Int?
    /// `decision_log_size` of the rules that answered.
    var logCapacity: Int
}
