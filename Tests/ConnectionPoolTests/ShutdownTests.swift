import Testing

@testable import ConnectionPool

@Suite struct ShutdownTests {
    /// A full pool (maxConnections 2): connection 0 leased to request 1, connection 1 connecting for
    /// request 2, request 3 waiting. (A waiter and an idle connection never coexist: the waiter would
    /// have taken it.)
    private func busyPool() -> ConnectionPoolStateMachine {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 2)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        _ = pool.leaseConnection(for: r(3), now: 0)
        return pool
    }

    @Test func theBusyPoolFixtureIsFullWithOneWaiter() {
        let pool = self.busyPool()
        #expect(pool.leasedCount == 1)
        #expect(pool.connectingCount == 1)
        #expect(pool.waitingCount == 1)
        #expect(pool.idleCount == 0)
    }

    @Test func shutdownClosesIdleConnectionsAtOnceAndTheOthersWhenTheyComeBack() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)  // connection 0
        _ = pool.leaseConnection(for: r(2), now: 0)  // connection 1, stays connecting
        _ = pool.leaseConnection(for: r(3), now: 0)  // connection 2, stays leased
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.connectionEstablished(c(2), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 0)

        let (close, fail) = pool.shutdown()
        #expect(close == [c(0)])
        #expect(fail == [r(2)])
        #expect(pool.isShutDown)
        #expect(pool.idleCount == 0)
        #expect(pool.leasedCount == 1)
        #expect(pool.connectingCount == 1)
        #expect(!pool.hasShutDownCompletely)

        #expect(pool.connectionEstablished(c(1), now: 1) == .close(c(1)))
        #expect(pool.releaseConnection(c(2), reusable: true, now: 1) == .close(c(2)))
        #expect(pool.connectionCount == 0)
        #expect(pool.hasShutDownCompletely)
    }

    @Test func shutdownFailsWaitersFirstThenRequestsWhoseConnectionIsStillOpening() {
        var pool = self.busyPool()
        let (close, fail) = pool.shutdown()
        #expect(close.isEmpty)
        #expect(fail == [r(3), r(2)])
        #expect(pool.waitingCount == 0)
        #expect(pool.queueTimedOut(r(3)) == nil)
    }

    @Test func aShutDownPoolFailsNewLeases() {
        var pool = self.busyPool()
        _ = pool.shutdown()
        #expect(pool.leaseConnection(for: r(9), now: 1) == .failRequest(r(9), .shutdown))
        #expect(pool.connectionCount == 2)
    }

    @Test func aShutDownPoolOpensNoConnectionForAnyone() {
        var pool = self.busyPool()
        _ = pool.shutdown()
        #expect(pool.connectionFailed(c(1)) == .none)
        #expect(pool.connectionClosed(c(0)) == .none)
        #expect(pool.hasShutDownCompletely)
    }

    @Test func shuttingDownTwiceReturnsNothingTheSecondTime() {
        var pool = self.busyPool()
        let first = pool.shutdown()
        #expect(first.fail == [r(3), r(2)])
        let again = pool.shutdown()
        #expect(again.close.isEmpty)
        #expect(again.fail.isEmpty)
    }

    @Test func shutdownAlsoClosesExpiredConnectionsNotYetTaken() {
        var pool = ConnectionPoolStateMachine.make(idleTimeout: second)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 0)
        _ = pool.leaseConnection(for: r(2), now: 2 * second)  // sets 0 aside, opens 1 for request 2
        let (close, fail) = pool.shutdown()
        #expect(close == [c(0)])
        #expect(fail == [r(2)])
        #expect(pool.takeExpiredIdleConnections().isEmpty)
    }

    @Test func anEmptyPoolIsCompletelyShutDownAtOnce() {
        var pool = ConnectionPoolStateMachine.make()
        #expect(!pool.hasShutDownCompletely)
        let (close, fail) = pool.shutdown()
        #expect(close.isEmpty)
        #expect(fail.isEmpty)
        #expect(pool.hasShutDownCompletely)
    }
}
