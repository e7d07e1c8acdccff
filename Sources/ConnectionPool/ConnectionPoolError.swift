/// Why the pool could not give a request a connection.
///
/// A struct over a private enum, so that adding a reason later breaks no caller's `switch`.
public struct ConnectionPoolError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case queueTimeout
        case shutdown
        case connectFailed
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// The request waited `queueTimeoutNanoseconds` for a connection while the pool was at
    /// `maxConnections`.
    public static let queueTimeout = ConnectionPoolError(.queueTimeout)

    /// The pool is shutting down (or has shut down) and hands out no more connections.
    public static let shutdown = ConnectionPoolError(.shutdown)

    /// Opening the connection made for this request failed (refused, timed out, TLS handshake). The shell
    /// usually has the underlying error and may report that one instead.
    public static let connectFailed = ConnectionPoolError(.connectFailed)

    /// A short, fixed string per reason: safe as a metric label or log value (bounded cardinality).
    public var shortDescription: String {
        switch self.code {
        case .queueTimeout: "pool_queue_timeout"
        case .shutdown: "pool_shutdown"
        case .connectFailed: "pool_connect_failed"
        }
    }

    public var description: String {
        switch self.code {
        case .queueTimeout: "ConnectionPoolError.queueTimeout: no connection became free in time"
        case .shutdown: "ConnectionPoolError.shutdown: the connection pool is shutting down"
        case .connectFailed: "ConnectionPoolError.connectFailed: could not open a connection to the upstream"
        }
    }
}
