extension ConnectionPoolStateMachine {
    /// What the shell does with a connection a request gave back.
    public enum ReleaseAction: Equatable, Sendable {
        /// The oldest waiter takes it directly (cancel that waiter's queue timer).
        case lease(ConnectionID, to: RequestID)
        /// Keep it idle; schedule its idle timer at `idleDeadline`.
        case park(ConnectionID, idleDeadline: UInt64)
        /// Close it: not reusable, `maxRequestsPerConnection` reached, idle slots full, or shutting down.
        case close(ConnectionID)
        /// Close the first connection (not reusable or worn out) and open the second one for the waiter.
        case closeAndCreate(ConnectionID, ConnectionID, for: RequestID)
    }

    /// The request finished with the connection. `reusable` is false when the HTTP exchange says the
    /// connection can't be reused (`Connection: close`, an error, an incomplete body).
    ///
    /// Late or duplicate releases: an unknown connection (closed meanwhile, `connectionClosed` already
    /// handled the waiters) gets `.close`, which is a no-op on a closed channel; one already idle gets
    /// `.park` with its current deadline; one still connecting (never handed out: a shell bug) gets
    /// `.close`, and its failed connect is then reported through `connectionFailed`. State is unchanged.
    public mutating func releaseConnection(_ connection: ConnectionID, reusable: Bool, now: UInt64) -> ReleaseAction {
        switch self.connections[connection] {
        case nil, .connecting:
            return .close(connection)
        case .idle(let deadline, _):
            return .park(connection, idleDeadline: deadline)
        case .leased(_, let uses):
            if self.isShutDown {
                self.connections[connection] = nil
                return .close(connection)
            }
            if reusable, !self.isExhausted(uses: uses) {
                if let waiter = self.waiters.popFirst() {
                    self.connections[connection] = .leased(to: waiter, uses: uses + 1)
                    return .lease(connection, to: waiter)
                }
                if let deadline = self.parkOrRemove(connection, uses: uses, now: now) {
                    return .park(connection, idleDeadline: deadline)
                }
                return .close(connection)
            }
            self.connections[connection] = nil
            if let (replacement, waiter) = self.connectionForNextWaiter() {
                return .closeAndCreate(connection, replacement, for: waiter)
            }
            return .close(connection)
        }
    }
}
