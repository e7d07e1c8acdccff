extension ConnectionPoolStateMachine {
    /// What the shell does after a connection closed by itself.
    public enum ClosedAction: Equatable, Sendable {
        /// Nothing to do.
        case none
        /// The freed slot lets the oldest waiter open a connection.
        case createConnection(ConnectionID, for: RequestID)
    }

    /// A connection closed by itself (the peer closed an idle connection, or a leased one broke after its
    /// request already reported). Removes it wherever it is; a waiter may get a new connection.
    ///
    /// Unknown connections (the pool already told the shell to close them) get `.none`. A connection that
    /// is still connecting is left alone and gets `.none`: its end is reported through `connectionFailed`,
    /// which also tells its request.
    public mutating func connectionClosed(_ connection: ConnectionID) -> ClosedAction {
        switch self.connections[connection] {
        case nil:
            if let index = self.expiredIdle.firstIndex(of: connection) {
                self.expiredIdle.remove(at: index)
            }
            return .none
        case .connecting:
            return .none
        case .idle:
            self.removeIdle(connection)
        case .leased:
            self.connections[connection] = nil
        }
        if let (replacement, waiter) = self.connectionForNextWaiter() {
            return .createConnection(replacement, for: waiter)
        }
        return .none
    }

    /// An idle timer fired. Returns true if the shell must close the connection: it is still idle and its
    /// deadline has passed (it then leaves the pool), or `leaseConnection` set it aside as expired and
    /// `takeExpiredIdleConnections()` has not returned it.
    ///
    /// Returns false for a stale timer: the connection was leased again, re-parked with a later deadline,
    /// or is already gone.
    /// When an idle connection's keep-alive ends; nil unless it is idle now.
    public func idleDeadline(of connection: ConnectionID) -> UInt64? {
        if case .idle(let deadline, _) = self.connections[connection] { return deadline }
        return nil
    }

    public mutating func idleTimerFired(_ connection: ConnectionID, now: UInt64) -> Bool {
        if let index = self.expiredIdle.firstIndex(of: connection) {
            self.expiredIdle.remove(at: index)
            return true
        }
        switch self.connections[connection] {
        case .idle(let deadline, _):
            guard now >= deadline else { return false }
            self.removeIdle(connection)
            return true
        case .connecting, .leased, nil:
            return false
        }
    }
}
