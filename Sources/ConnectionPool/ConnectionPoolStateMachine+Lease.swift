extension ConnectionPoolStateMachine {
    /// What the shell does for a request that wants a connection.
    public enum LeaseAction: Equatable, Sendable {
        /// Hand this idle connection to the request now; cancel its idle timer.
        case useIdleConnection(ConnectionID, request: RequestID)
        /// Open a new connection with this id; when it is up call `connectionEstablished`, when opening
        /// fails call `connectionFailed`.
        case createConnection(ConnectionID, for: RequestID)
        /// The pool is full: the request waits; schedule a timer calling `queueTimedOut(request)` at
        /// `deadline`.
        case enqueue(RequestID, deadline: UInt64)
        /// Give the request this error: `.shutdown` from `leaseConnection`, `.queueTimeout` from
        /// `queueTimedOut`.
        case failRequest(RequestID, ConnectionPoolError)
    }

    /// A request wants a connection.
    ///
    /// Takes the most recently parked idle connection that has not expired; expired ones found on the way
    /// are removed from the pool and must be closed: call `takeExpiredIdleConnections()` after every lease.
    /// Each hand-over counts one request against `maxRequestsPerConnection`.
    public mutating func leaseConnection(for request: RequestID, now: UInt64) -> LeaseAction {
        guard !self.isShutDown else { return .failRequest(request, .shutdown) }

        while let candidate = self.idleStack.popLast() {
            switch self.connections[candidate] {
            case .idle(let deadline, let uses):
                if now >= deadline {
                    self.connections[candidate] = nil
                    self.expiredIdle.append(candidate)
                } else {
                    self.connections[candidate] = .leased(to: request, uses: uses + 1)
                    return .useIdleConnection(candidate, request: request)
                }
            case .connecting, .leased, nil:
                // Not idle: the stack is stale for this entry (cannot happen when the helpers are used).
                continue
            }
        }

        if self.hasCapacity {
            return .createConnection(self.makeConnection(for: request), for: request)
        }
        self.waiters.append(request)
        return .enqueue(request, deadline: Self.adding(now, self.configuration.queueTimeoutNanoseconds))
    }

    /// The waiting request's queue deadline passed.
    ///
    /// Returns `.failRequest(request, .queueTimeout)` if it was still waiting, nil if it got a connection
    /// (or a connection is being opened for it), was cancelled or was failed by shutdown meanwhile: a late
    /// timer is ignored.
    public mutating func queueTimedOut(_ request: RequestID) -> LeaseAction? {
        guard self.waiters.remove(request) else { return nil }
        return .failRequest(request, .queueTimeout)
    }

    /// The request went away before getting a connection (client hung up).
    ///
    /// A waiting request leaves the queue. A connection being opened for it stays and, once up, goes to
    /// the next waiter or is parked. A request that already holds a connection is not affected: the shell
    /// gives the connection back with `releaseConnection`. Unknown requests are ignored.
    public mutating func cancelRequest(_ request: RequestID) {
        if self.waiters.remove(request) { return }
        let opening = self.connections.first { _, state in
            switch state {
            case .connecting(let owner): owner == request
            case .idle, .leased: false
            }
        }
        if let (connection, _) = opening {
            self.connections[connection] = .connecting(for: nil)
        }
    }

    /// The expired idle connections that `leaseConnection` removed from the pool; the shell closes them
    /// (and cancels their idle timers). Each is returned once. Empty almost always: a connection expires
    /// before its idle timer runs only when the event loop is late.
    public mutating func takeExpiredIdleConnections() -> [ConnectionID] {
        guard !self.expiredIdle.isEmpty else { return [] }
        defer { self.expiredIdle = [] }
        return self.expiredIdle
    }
}
