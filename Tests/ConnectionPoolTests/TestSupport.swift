@testable import ConnectionPool

/// One second in the pool's nanosecond time base.
let second: UInt64 = 1_000_000_000

/// Short names so that expected actions read like the event log they check.
func c(_ raw: Int) -> ConnectionID { ConnectionID(raw) }
func r(_ raw: Int) -> RequestID { RequestID(raw) }

extension ConnectionPoolStateMachine {
    /// A pool with small, easy-to-read limits; every test states the limit it exercises.
    static func make(
        maxConnections: Int = 0,
        maxIdleConnections: Int = 8,
        idleTimeout: UInt64 = 10 * second,
        maxRequestsPerConnection: Int = 0,
        queueTimeout: UInt64 = 5 * second
    ) -> ConnectionPoolStateMachine {
        ConnectionPoolStateMachine(
            configuration: ConnectionPoolConfiguration(
                maxConnections: maxConnections,
                maxIdleConnections: maxIdleConnections,
                idleTimeoutNanoseconds: idleTimeout,
                maxRequestsPerConnection: maxRequestsPerConnection,
                queueTimeoutNanoseconds: queueTimeout
            )
        )
    }
}
