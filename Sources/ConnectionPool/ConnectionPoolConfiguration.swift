/// Limits of one pool (one upstream `host:port:tls` on one event loop).
///
/// Every limit is per pool, so the process-wide ceiling is the limit times the number of event loops.
/// Negative values are treated like 0.
public struct ConnectionPoolConfiguration: Sendable, Equatable {
    /// Most connections (leased + connecting + idle) this pool may hold; 0 means unlimited, and then a
    /// request never waits in the queue. Default 0: Kong does not cap upstream connections either.
    public var maxConnections: Int

    /// Most idle connections kept for reuse; a connection released or established while this many are
    /// already idle is closed instead. 0 disables keep-alive. Default 512, Kong's
    /// `upstream_keepalive_pool_size`.
    public var maxIdleConnections: Int

    /// An idle connection is closed after this long without a request (nanoseconds). Default 60 s, Kong's
    /// `upstream_keepalive_idle_timeout`. Keep it below the upstream's own keep-alive timeout so that the
    /// proxy, not the upstream, closes first and no request races a closing socket.
    public var idleTimeoutNanoseconds: UInt64

    /// A connection is closed instead of reused once it has been leased this many times; 0 means unlimited.
    /// Default 10 000, Kong's `upstream_keepalive_max_requests`. Bounds per-connection state the upstream
    /// may accumulate and lets load balancers rebalance.
    public var maxRequestsPerConnection: Int

    /// How long a request may wait in the queue for a connection when the pool is at `maxConnections`
    /// (nanoseconds). Default 60 s. 0 fails a queued request as soon as its timer runs.
    public var queueTimeoutNanoseconds: UInt64

    public init(
        maxConnections: Int = 0,
        maxIdleConnections: Int = 512,
        idleTimeoutNanoseconds: UInt64 = 60_000_000_000,
        maxRequestsPerConnection: Int = 10_000,
        queueTimeoutNanoseconds: UInt64 = 60_000_000_000
    ) {
        self.maxConnections = maxConnections
        self.maxIdleConnections = maxIdleConnections
        self.idleTimeoutNanoseconds = idleTimeoutNanoseconds
        self.maxRequestsPerConnection = maxRequestsPerConnection
        self.queueTimeoutNanoseconds = queueTimeoutNanoseconds
    }
}
