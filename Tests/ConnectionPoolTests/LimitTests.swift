import Testing

@testable import ConnectionPool

@Suite struct LimitTests {
    @Test func aReleaseBeyondMaxIdleConnectionsClosesTheConnection() {
        var pool = ConnectionPoolStateMachine.make(maxIdleConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.connectionEstablished(c(1), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 1) == .park(c(0), idleDeadline: 1 + 10 * second))
        #expect(pool.releaseConnection(c(1), reusable: true, now: 2) == .close(c(1)))
        #expect(pool.idleCount == 1)
        #expect(pool.connectionCount == 1)
    }

    @Test func aConnectionIsClosedAfterMaxRequestsPerConnection() {
        var pool = ConnectionPoolStateMachine.make(maxRequestsPerConnection: 2)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 1) == .park(c(0), idleDeadline: 1 + 10 * second))
        #expect(pool.leaseConnection(for: r(2), now: 2) == .useIdleConnection(c(0), request: r(2)))
        #expect(pool.releaseConnection(c(0), reusable: true, now: 3) == .close(c(0)))
        #expect(pool.connectionCount == 0)
    }

    @Test func oneRequestPerConnectionNeverParks() {
        var pool = ConnectionPoolStateMachine.make(maxRequestsPerConnection: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 1) == .close(c(0)))
    }

    @Test func aNonReusableConnectionIsClosedOnRelease() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        #expect(pool.releaseConnection(c(0), reusable: false, now: 1) == .close(c(0)))
        #expect(pool.connectionCount == 0)
    }

    @Test func anUnlimitedPoolNeverEnqueues() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 0)
        for request in 0..<100 {
            #expect(pool.leaseConnection(for: r(request), now: 0) == .createConnection(c(request), for: r(request)))
        }
        #expect(pool.waitingCount == 0)
    }

    @Test func aFullPoolEnqueuesUntilNowPlusTheQueueTimeout() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1, queueTimeout: 5 * second)
        #expect(pool.leaseConnection(for: r(1), now: 0) == .createConnection(c(0), for: r(1)))
        #expect(pool.leaseConnection(for: r(2), now: second) == .enqueue(r(2), deadline: 6 * second))
        #expect(pool.waitingCount == 1)
    }

    @Test func aReleaseHandsTheConnectionStraightToTheOldestWaiter() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1, maxRequestsPerConnection: 3)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 1)
        _ = pool.leaseConnection(for: r(3), now: 2)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 3) == .lease(c(0), to: r(2)))
        #expect(pool.releaseConnection(c(0), reusable: true, now: 4) == .lease(c(0), to: r(3)))
        #expect(pool.waitingCount == 0)
        // Third use: worn out, so the next release closes although it is reusable.
        #expect(pool.releaseConnection(c(0), reusable: true, now: 5) == .close(c(0)))
    }

    @Test func aNonReusableReleaseClosesAndOpensANewConnectionForTheWaiter() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 1)
        #expect(pool.releaseConnection(c(0), reusable: false, now: 2) == .closeAndCreate(c(0), c(1), for: r(2)))
        #expect(pool.waitingCount == 0)
        #expect(pool.connectingCount == 1)
        #expect(pool.connectionEstablished(c(1), now: 3) == .lease(c(1), to: r(2)))
    }

    @Test func aWornOutReleaseClosesAndOpensANewConnectionForTheWaiter() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1, maxRequestsPerConnection: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 1)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 2) == .closeAndCreate(c(0), c(1), for: r(2)))
    }

    @Test func theQueueTimeoutFailsAStillWaitingRequest() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        #expect(pool.queueTimedOut(r(2)) == .failRequest(r(2), .queueTimeout))
        #expect(pool.waitingCount == 0)
        #expect(pool.queueTimedOut(r(2)) == nil)
    }

    @Test func theQueueTimeoutOfARequestThatGotAConnectionIsIgnored() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        _ = pool.releaseConnection(c(0), reusable: true, now: 1)
        #expect(pool.queueTimedOut(r(2)) == nil)
        #expect(pool.leasedCount == 1)
    }

    @Test func aCancelledWaiterIsSkipped() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 1)
        _ = pool.leaseConnection(for: r(3), now: 2)
        pool.cancelRequest(r(2))
        #expect(pool.waitingCount == 1)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 3) == .lease(c(0), to: r(3)))
        #expect(pool.queueTimedOut(r(2)) == nil)
    }

    @Test func theConnectionOfACancelledRequesterGoesToTheOldestWaiter() {
        var pool = ConnectionPoolStateMachine.make(maxConnections: 1)
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.leaseConnection(for: r(2), now: 0)
        pool.cancelRequest(r(1))
        #expect(pool.connectionEstablished(c(0), now: 1) == .lease(c(0), to: r(2)))
        #expect(pool.waitingCount == 0)
    }

    @Test func cancellingARequestThatHoldsAConnectionChangesNothing() {
        var pool = ConnectionPoolStateMachine.make()
        _ = pool.leaseConnection(for: r(1), now: 0)
        _ = pool.connectionEstablished(c(0), now: 0)
        pool.cancelRequest(r(1))
        pool.cancelRequest(r(99))
        #expect(pool.leasedCount == 1)
        #expect(pool.releaseConnection(c(0), reusable: true, now: 1) == .park(c(0), idleDeadline: 1 + 10 * second))
    }
}
