import ConnectionPool
import NIOCore
import NIOHTTP1

/// One client request on its way through the gateway: the per-request context object. Created when the
/// request head arrives and dropped when its response ends, so nothing of one request can reach another.
/// Confined to the client connection's event loop.
final class Exchange {
    let id: UInt64
    let receivedAt: NIODeadline
    let plan: ProxyPlan
    let pool: UpstreamPool
    /// The client's request head as received (underscore names included; the policy writer drops them).
    let clientHead: HTTPRequestHead
    /// What goes upstream: the planned head, changed by an allow decision.
    var upstreamHead: HTTPRequestHead
    /// The `ping-auth` side of this request, when its route is covered.
    var policy: PolicyExchange?
    let clientVersion: HTTPVersion
    let acceptHeader: String?
    let isHead: Bool
    /// Whether the client connection may carry another request after this one.
    var clientKeepAlive: Bool

    /// Body bytes received from the client so far (checked against `max_body_bytes`).
    var bodyBytesReceived = 0
    var requestEnded = false
    /// Body parts that arrived before an upstream connection was ready (bounded: client reads are held
    /// while waiting, so at most one socket read of data sits here).
    var pendingBody: [ByteBuffer] = []
    var bodySentUpstream = false

    var upstream: UpstreamConnectionHandler?
    /// The pool's id for the pending lease (to cancel it), and whether a lease is pending at all.
    var leaseRequest: RequestID?
    var awaitingLease = false
    var reusedConnection = false
    /// Connection attempts left after a failure to connect (the service's `retries`).
    var connectRetriesLeft: Int
    var retriedStaleConnection = false

    var upstreamSentAt: NIODeadline?
    var upstreamHeadAt: NIODeadline?
    var responseHeadSent = false
    var upstreamKeepAlive = true
    var upstreamTimer: Scheduled<Void>?
    /// When the current upstream wait expires, and when `upstreamTimer` fires (never later).
    var upstreamDeadline = NIODeadline.distantFuture
    var upstreamTimerFiresAt = NIODeadline.distantFuture

    /// Kong's upstream latency as of `now`: from sending upstream to the response head (or to `now` when
    /// the head has not come); nil when nothing was sent.
    func upstreamMilliseconds(asOf now: NIODeadline) -> Double? {
        guard let sentAt = self.upstreamSentAt else { return nil }
        return (self.upstreamHeadAt ?? now).milliseconds(since: sentAt)
    }

    init(
        id: UInt64,
        receivedAt: NIODeadline,
        plan: ProxyPlan,
        pool: UpstreamPool,
        head: HTTPRequestHead,
        clientKeepAlive: Bool
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.plan = plan
        self.pool = pool
        self.clientHead = head
        self.upstreamHead = plan.upstreamHead
        self.clientVersion = head.version
        self.acceptHeader = head.headers.first(name: "accept")
        self.isHead = head.method == .HEAD
        self.clientKeepAlive = clientKeepAlive
        self.connectRetriesLeft = plan.service.retries
    }
}
