extension ConnectionPoolStateMachine {
    /// Shuts the pool down. Returns the connections to close now (the idle ones, including expired ones
    /// not yet taken) and the requests to fail with `ConnectionPoolError.shutdown`: the waiters, oldest
    /// first, then the requests whose connection is still being opened.
    ///
    /// Afterwards no connection is handed out or opened: leases fail with `.shutdown`, leased connections
    /// are closed when released and connecting ones when established. Calling it again returns nothing.
    /// `hasShutDownCompletely` turns true once the last connection is gone.
    public mutating func shutdown() -> (close: [ConnectionID], fail: [RequestID]) {
        guard !self.isShutDown else { return ([], []) }
        self.isShutDown = true

        var close = self.takeExpiredIdleConnections()
        for connection in self.idleStack.reversed() {
            self.connections[connection] = nil
            close.append(connection)
        }
        self.idleStack = []

        var fail = self.waiters.removeAll()
        var opening: [(ConnectionID, RequestID)] = []
        for (connection, state) in self.connections {
            switch state {
            case .connecting(let request?):
                opening.append((connection, request))
            case .connecting(nil), .idle, .leased:
                continue
            }
        }
        opening.sort { $0.0.rawValue < $1.0.rawValue }
        for (connection, request) in opening {
            self.connections[connection] = .connecting(for: nil)
            fail.append(request)
        }
        return (close, fail)
    }
}
