import NIOCore
import NIOHTTP1

/// What the access log and the metrics learn about one client request, filled in as it goes and handed
/// over once when its response has been written (or the client went away). A value owned by the
/// request's `ProxyHandler`, so nothing of it outlives the request.
struct RequestRecord {
    let requestID: UInt64
    let receivedAt: NIODeadline
    let head: HTTPRequestHead
    var clientIP: String
    /// The matched route's series; nil when no route matched.
    var route: RouteMetrics?
    /// The status the client got; 499 (nginx's "client closed request") when it went away first.
    var status: UInt = 0
    var bytesReceived = 0
    /// Response body bytes written to the client.
    var bytesSent = 0
    /// From the request head to the end of the response (set when the record is handed over).
    var totalMs: Double = 0
    /// From sending the request upstream to the upstream's response head (Kong's upstream latency); nil
    /// when nothing was sent upstream.
    var upstreamMs: Double? = nil
    /// Duration of each sideband call, in milliseconds (failed calls included).
    var sidebandRequestMs: Double? = nil
    var sidebandResponseMs: Double? = nil
    var decision: DecisionOutcome? = nil
    /// PingAuthorize's `Correlation-Id` of the last sideband answer.
    var correlationID: String? = nil

    init(requestID: UInt64, receivedAt: NIODeadline, head: HTTPRequestHead, clientIP: String) {
        self.requestID = requestID
        self.receivedAt = receivedAt
        self.head = head
        self.clientIP = clientIP
    }

    /// The gateway's own share, sideband calls included (Kong's "kong" latency).
    var gatewayMs: Double { max(0, self.totalMs - (self.upstreamMs ?? 0)) }
}

extension NIODeadline {
    /// Milliseconds from `start` to this deadline, never negative, with sub-millisecond resolution. The
    /// one conversion behind the latency headers, the access log and the latency histograms.
    func milliseconds(since start: NIODeadline) -> Double {
        Double(max(0, (self - start).nanoseconds)) / 1_000_000
    }
}
