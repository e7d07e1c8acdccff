import Testing

@testable import ConnectionPool

@Suite struct IdleExpiryTests {
    /// A pool holding one idle connection, parked at `parkedAt` with a 10 s idle timeout.
    private func poolWithOneIdleConnection(parkedAt: UInt64 = 0) -> ConnectionPoolStateMachine {
        var pool = ConnectionPoolStateMachine.make(idleTimeout: 10 * second)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: parkedAt)
        return pool
    }

    @Test func theIdleTimerClosesAConnectionThatIsStillIdleAndExpired() {
        var pool = self.poolWithOneIdleConnection()
        #expect(pool.idleTimerFired(c(0), now: 10 * second) == true)
        #expect(pool.idleCount == 0)
        #expect(pool.connectionCount == 0)
        #expect(pool.leaseConnection(for: r(2), now: 11 * second) == .createConnection(c(1), for: r(2)))
    }

    @Test func anEarlyIdleTimerKeepsTheConnection() {
        var pool = self.poolWithOneIdleConnection()
        #expect(pool.idleTimerFired(c(0), now: 10 * second - 1) == false)
        #expect(pool.idleCount == 1)
    }

    @Test func theStaleTimerOfAReleasedConnectionIsIgnored() {
        var pool = self.poolWithOneIdleConnection()
        #expect(pool.leaseConnection(for: r(2), now: second) == .useIdleConnection(c(0), request: r(2)))
        #expect(pool.idleTimerFired(c(0), now: 10 * second) == false)
        #expect(pool.leasedCount == 1)
    }

    @Test func theIdleDeadlineIsKnownOnlyWhileTheConnectionIsIdle() {
        var pool = self.poolWithOneIdleConnection(parkedAt: 2 * second)
        #expect(pool.idleDeadline(of: c(0)) == 12 * second)
        _ = pool.leaseConnection(for: r(2), now: 5 * second)
        #expect(pool.idleDeadline(of: c(0)) == nil)
        _ = pool.releaseConnection(c(0), reusable: true, now: 6 * second)
        #expect(pool.idleDeadline(of: c(0)) == 16 * second)
        #expect(pool.idleDeadline(of: c(9)) == nil)
    }

    @Test func theStaleTimerOfAReparkedConnectionIsIgnoredUntilTheNewDeadline() {
        var pool = self.poolWithOneIdleConnection()
        _ = pool.leaseConnection(for: r(2), now: 5 * second)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 6 * second) == .park(c(0), idleDeadline: 16 * second))
        #expect(pool.idleTimerFired(c(0), now: 10 * second) == false)
        #expect(pool.idleCount == 1)
        #expect(pool.idleTimerFired(c(0), now: 16 * second) == true)
        #expect(pool.idleCount == 0)
    }

    @Test func theTimerOfAnUnknownConnectionIsIgnored() {
        var pool = self.poolWithOneIdleConnection()
        #expect(pool.idleTimerFired(c(42), now: 100 * second) == false)
        #expect(pool.idleCount == 1)
    }

    /// The event loop ran late: the lease comes before the idle timer. The expired connection must not be
    /// handed out; it leaves the pool and is returned once by `takeExpiredIdleConnections`.
    @Test func anExpiredIdleConnectionIsNeverHandedOutAndIsSetAsideForClosing() {
        var pool = self.poolWithOneIdleConnection()
        #expect(pool.leaseConnection(for: r(2), now: 10 * second) == .createConnection(c(1), for: r(2)))
        #expect(pool.idleCount == 0)
        #expect(pool.takeExpiredIdleConnections() == [c(0)])
        #expect(pool.takeExpiredIdleConnections().isEmpty)
        #expect(pool.idleTimerFired(c(0), now: 10 * second) == false)
    }

    @Test func anExpiredConnectionNotTakenIsClosedByItsIdleTimer() {
        var pool = self.poolWithOneIdleConnection()
        _ = pool.leaseConnection(for: r(2), now: 11 * second)
        #expect(pool.idleTimerFired(c(0), now: 11 * second) == true)
        #expect(pool.takeExpiredIdleConnections().isEmpty)
    }

    @Test func leasingSkipsExpiredConnectionsAndTakesAFreshOne() {
        var pool = ConnectionPoolStateMachine.make(idleTimeout: 10 * second)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.connectionEstablished(c(1), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 0)
        _ = pool.releaseConnection(c(1), reusable: true, now: 0)
        #expect(pool.leaseConnection(for: r(3), now: 20 * second) == .createConnection(c(2), for: r(3)))
        #expect(pool.takeExpiredIdleConnections() == [c(1), c(0)])
    }

    /// Slots held by expired idle connections are freed at once, so a full pool opens a new connection
    /// instead of queueing the request behind sockets that are about to close.
    @Test func expiredIdleConnectionsFreeTheirSlotsForTheLease() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1, idleTimeout: 10 * second)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 0)
        #expect(pool.leaseConnection(for: r(2), now: 10 * second) == .createConnection(c(1), for: r(2)))
        #expect(pool.waitingCount == 0)
        #expect(pool.takeExpiredIdleConnections() == [c(0)])
    }

    @Test func idleDeadlinesSaturateInsteadOfOverflowing() {
        var pool = ConnectionPoolStateMachine.make(idleTimeout: .max)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 5) == .park(c(0), idleDeadline: .max))
    }
}
