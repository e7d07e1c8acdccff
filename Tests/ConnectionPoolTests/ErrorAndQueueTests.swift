import Testing

@testable import ConnectionPool

@Suite struct ConnectionPoolErrorTests {
    @Test func everyErrorHasADistinctBoundedShortDescription() {
        let errors: [ConnectionPoolError] = [.queueTimeout, .shutdown, .connectFailed]
        #expect(Set(errors.map(\.shortDescription)).count == 3)
        #expect(errors.allSatisfy { $0.shortDescription.count <= 32 })
        #expect(ConnectionPoolError.queueTimeout.shortDescription == "pool_queue_timeout")
        #expect(ConnectionPoolError.shutdown != .connectFailed)
        #expect(ConnectionPoolError.shutdown.description.contains("shutting down"))
    }

    @Test func theDefaultConfigurationMatchesKongsKeepaliveDefaults() {
        let configuration = ConnectionPoolConfiguration()
        #expect(configuration.maxConnections == 0)
        #expect(configuration.maxIdleConnections == 512)
        #expect(configuration.idleTimeoutNanoseconds == 60 * second)
        #expect(configuration.maxRequestsPerConnection == 10_000)
        #expect(configuration.queueTimeoutNanoseconds == 60 * second)
    }
}

@Suite struct RequestQueueTests {
    @Test func requestsLeaveInArrivalOrder() {
        var queue = RequestQueue()
        for request in 0..<40 { queue.append(r(request)) }
        var popped: [RequestID] = []
        while let request = queue.popFirst() { popped.append(request) }
        #expect(popped == (0..<40).map(r))
        #expect(queue.isEmpty)
    }

    @Test func removingFromTheMiddleKeepsTheOrderOfTheRest() {
        var queue = RequestQueue()
        for request in 0..<30 { queue.append(r(request)) }
        for _ in 0..<20 { _ = queue.popFirst() }
        let removedWaiting = queue.remove(r(25))
        let removedTwice = queue.remove(r(25))
        let removedAlreadyPopped = queue.remove(r(3))
        #expect(removedWaiting)
        #expect(!removedTwice)
        #expect(!removedAlreadyPopped)
        queue.append(r(30))
        #expect(queue.count == 10)
        #expect(queue.removeAll() == [20, 21, 22, 23, 24, 26, 27, 28, 29, 30].map(r))
        #expect(queue.popFirst() == nil)
    }
}
