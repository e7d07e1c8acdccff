import Benchmark
import ConnectionPool

extension Benchmark {
    /// The pool's per-request work on a warm keep-alive upstream: lease the idle connection, collect the
    /// (empty) expired list as the shell does after every lease, release it back to idle. The pure state
    /// machine only: no sockets, no timers. Gated: this runs for every proxied request and must not allocate.
    static func registerConnectionPool() {
        Benchmark("ConnectionPool.leaseIdleAndRelease", configuration: .zeroAllocations) { benchmark in
            // Unlimited requests per connection, so the one connection is reused for every sample; Kong's
            // other defaults (512 idle, 60 s idle timeout).
            var pool = ConnectionPoolStateMachine(
                configuration: ConnectionPoolConfiguration(maxRequestsPerConnection: 0)
            )
            // The first request opens the connection; it comes up, serves it, and is parked idle.
            guard case .createConnection(let connection, for: _) = pool.leaseConnection(for: RequestID(0), now: 0),
                case .lease = pool.connectionEstablished(connection, now: 0),
                case .park = pool.releaseConnection(connection, reusable: true, now: 0)
            else {
                fatalError("a new pool opens one connection, hands it over and parks it")
            }
            var now: UInt64 = 1_000
            var nextRequest = 1
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(pool.leaseConnection(for: RequestID(nextRequest), now: now))
                blackHole(pool.takeExpiredIdleConnections())
                blackHole(pool.releaseConnection(connection, reusable: true, now: now))
                nextRequest += 1
                now += 1_000
            }
        }
    }
}
