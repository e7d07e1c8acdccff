import Testing

@testable import ConnectionPool

@Suite struct FailureAndCloseTests {
    @Test func aConnectFailureFailsTheRequestItWasOpenedFor() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        #expect(pool.connectionFailed(c(0)) == .failRequest(r(1), .connectFailed))
        #expect(pool.connectionCount == 0)
    }

    @Test func aConnectFailureAlsoLetsTheOldestWaiterOpenAConnection() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        #expect(pool.connectionFailed(c(0)) == .failRequestAndCreate(r(1), .connectFailed, c(1), for: r(2)))
        #expect(pool.waitingCount == 0)
        #expect(pool.connectingCount == 1)
        #expect(pool.connectionEstablished(c(1), now: 1) == .lease(c(1), to: r(2)))
    }

    @Test func aConnectFailureForACancelledRequestLetsAWaiterOpenAConnection() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        pool.cancelRequest(r(1))
        #expect(pool.connectionFailed(c(0)) == .createConnection(c(1), for: r(2)))
    }

    @Test func aConnectFailureNobodyWaitsForNeedsNothing() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        pool.cancelRequest(r(1))
        #expect(pool.connectionFailed(c(0)) == .none)
        #expect(pool.connectionCount == 0)
    }

    @Test func lateConnectFailuresAreIgnored() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.connectionFailed(c(0)) == .none)
        #expect(pool.connectionFailed(c(7)) == .none)
        #expect(pool.leasedCount == 1)
    }

    @Test func aPeerClosingAnIdleConnectionRemovesItFromThePool() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 1)
        #expect(pool.connectionClosed(c(0)) == .none)
        #expect(pool.idleCount == 0)
        #expect(pool.idleTimerFired(c(0), now: 100 * second) == false)
        #expect(pool.leaseConnection(for: r(2), now: 2) == .createConnection(c(1), for: r(2)))
    }

    @Test func aLeasedConnectionThatBreaksLetsAWaiterOpenAConnection() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 1)
        #expect(pool.connectionClosed(c(0)) == .createConnection(c(1), for: r(2)))
        #expect(pool.leasedCount == 0)
        #expect(pool.connectingCount == 1)
    }

    /// The channel's close notification can overtake the request's release: the release of a connection
    /// the pool no longer knows answers `.close` (a no-op on a closed channel) and serves no one twice.
    @Test func aReleaseAfterTheConnectionClosedIsHarmless() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.connectionClosed(c(0)) == .none)
        _ = pool.leaseConnection(for: r(2), now: 1)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 2) == .close(c(0)))
        #expect(pool.connectingCount == 1)
        #expect(pool.idleCount == 0)
    }

    @Test func aClosedConnectionIsForgottenSoLaterEventsForItAreIgnored() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: false, now: 1) == .close(c(0)))
        #expect(pool.connectionClosed(c(0)) == .none)
        #expect(pool.connectionEstablished(c(0), now: 2) == .close(c(0)))
        #expect(pool.connectionCount == 0)
    }

    @Test func aConnectingConnectionReportedClosedWaitsForItsConnectResult() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        #expect(pool.connectionClosed(c(0)) == .none)
        #expect(pool.connectingCount == 1)
        #expect(pool.connectionFailed(c(0)) == .failRequest(r(1), .connectFailed))
    }

    @Test func aDuplicateReleaseOfAnIdleConnectionKeepsItsDeadline() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 1)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 5) == .park(c(0), idleDeadline: 1 + 10 * second))
        #expect(pool.idleCount == 1)
    }
}
