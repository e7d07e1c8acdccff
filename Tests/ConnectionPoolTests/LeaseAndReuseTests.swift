import Testing

@testable import ConnectionPool

@Suite struct LeaseAndReuseTests {
    @Test func leasingFromAnEmptyPoolCreatesAConnectionForTheRequest() {
        var pool = ConnectionPoolStateMachine.make()
        #expect(pool.leaseConnection(for: r(1), now: 0) == .createConnection(c(0), for: r(1)))
        #expect(pool.connectingCount == 1)
        #expect(pool.leasedCount == 0)
        #expect(pool.idleCount == 0)
    }

    @Test func connectionIdsAreAllocatedFromAMonotonicCounter() {
        var pool = ConnectionPoolStateMachine.make()
        #expect(pool.leaseConnection(for: r(1), now: 0) == .createConnection(c(0), for: r(1)))
        #expect(pool.leaseConnection(for: r(2), now: 0) == .createConnection(c(1), for: r(2)))
        #expect(pool.connectionFailed(c(0)) == .failRequest(r(1), .connectFailed))
        #expect(pool.leaseConnection(for: r(3), now: 0) == .createConnection(c(2), for: r(3)))
    }

    @Test func anEstablishedConnectionIsHandedToItsRequester() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        #expect(pool.connectionEstablished(c(0), now: 1) == .lease(c(0), to: r(1)))
        #expect(pool.connectingCount == 0)
        #expect(pool.leasedCount == 1)
    }

    @Test func aReleasedConnectionIsParkedUntilNowPlusTheIdleTimeout() {
        var pool = ConnectionPoolStateMachine.make(idleTimeout: 10 * second)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 3 * second) == .park(c(0), idleDeadline: 13 * second))
        #expect(pool.idleCount == 1)
        #expect(pool.leasedCount == 0)
    }

    @Test func theNextLeaseReusesTheParkedConnection() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 1)
        #expect(pool.leaseConnection(for: r(2), now: 2) == .useIdleConnection(c(0), request: r(2)))
        #expect(pool.idleCount == 0)
        #expect(pool.leasedCount == 1)
        #expect(pool.takeExpiredIdleConnections().isEmpty)
    }

    @Test func idleConnectionsAreReusedMostRecentlyParkedFirst() {
        var pool = ConnectionPoolStateMachine.make()
        for request in 1...3 {
            #expect(pool.leaseConnection(for: r(request), now: 0) == .createConnection(c(request - 1), for: r(request)))
            #expect(pool.connectionEstablished(c(request - 1), now: 0) == .lease(c(request - 1), to: r(request)))
        }
        // Released in the order 1, 0, 2: connection 2 is the warmest.
        _ = pool.releaseConnection(c(1), reusable: true, now: 1)
        _ = pool.releaseConnection(c(0), reusable: true, now: 2)
        _ = pool.releaseConnection(c(2), reusable: true, now: 3)
        #expect(pool.leaseConnection(for: r(10), now: 4) == .useIdleConnection(c(2), request: r(10)))
        #expect(pool.leaseConnection(for: r(11), now: 4) == .useIdleConnection(c(0), request: r(11)))
        #expect(pool.leaseConnection(for: r(12), now: 4) == .useIdleConnection(c(1), request: r(12)))
        #expect(pool.leaseConnection(for: r(13), now: 4) == .createConnection(c(3), for: r(13)))
    }

    @Test func aConnectionIsGivenToItsOwnRequesterEvenIfAnotherWasReleasedMeanwhile() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.leaseConnection(for: r(2), now: 1) == .createConnection(c(1), for: r(2)))
        #expect(pool.releaseConnection(c(0), reusable: true, now: 2) == .park(c(0), idleDeadline: 2 + 10 * second))
        #expect(pool.connectionEstablished(c(1), now: 3) == .lease(c(1), to: r(2)))
        #expect(pool.idleCount == 1)
        #expect(pool.leasedCount == 1)
    }

    @Test func anEstablishedConnectionNobodyWantsIsParked() {
        var pool = ConnectionPoolStateMachine.make(idleTimeout: 10 * second)
        _ = pool.leaseConnection(for: r(1), now: 0)
        pool.cancelRequest(r(1))
        #expect(pool.connectingCount == 1)
        #expect(pool.connectionEstablished(c(0), now: second) == .park(c(0), idleDeadline: 11 * second))
        #expect(pool.idleCount == 1)
    }

    @Test func anEstablishedConnectionNobodyWantsIsClosedWhenIdleSlotsAreFull() {
        var pool = ConnectionPoolStateMachine.make(maxIdleConnections: 0)
        _ = pool.leaseConnection(for: r(1), now: 0)
        pool.cancelRequest(r(1))
        #expect(pool.connectionEstablished(c(0), now: 1) == .close(c(0)))
        #expect(pool.connectionCount == 0)
    }

    @Test func countsFollowEveryConnectionAndRequest() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 3)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        _ = pool.leaseConnection(for: r(3), now: 0)
        _ = pool.leaseConnection(for: r(4), now: 0)
        #expect(pool.connectingCount == 3)
        #expect(pool.waitingCount == 1)
        #expect(pool.connectionCount == 3)

        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.connectionEstablished(c(1), now: 0)
        #expect(pool.connectingCount == 1)
        #expect(pool.leasedCount == 2)

        #expect(pool.releaseConnection(c(0), reusable: true, now: 1) == .lease(c(0), to: r(4)))
        #expect(pool.waitingCount == 0)
        #expect(pool.leasedCount == 2)

        _ = pool.releaseConnection(c(1), reusable: true, now: 2)
        #expect(pool.idleCount == 1)
        #expect(pool.leasedCount == 1)
        #expect(pool.connectingCount == 1)
        #expect(pool.connectionCount == 3)
        #expect(!pool.isShutDown)
    }
}
