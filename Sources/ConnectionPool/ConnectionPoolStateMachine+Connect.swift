extension ConnectionPoolStateMachine {
    /// What the shell does with a connection that just came up.
    public enum EstablishedAction: Equatable, Sendable {
        /// Give the new connection to this request: the one it was created for or, if that one was
        /// cancelled, the oldest waiter.
        case lease(ConnectionID, to: RequestID)
        /// Nobody wants it: park it idle and schedule its idle timer at `idleDeadline`.
        case park(ConnectionID, idleDeadline: UInt64)
        /// Nobody wants it and the idle slots are full, or the pool is shutting down: close it.
        case close(ConnectionID)
    }

    /// A connection asked for with `createConnection` is up.
    ///
    /// Late or duplicate reports: an unknown connection (already removed) gets `.close`; one already idle
    /// gets `.park` with its current deadline; one already leased gets `.close` (a shell bug, answered so
    /// that the following `connectionClosed` leaves the pool consistent). The state is unchanged for these.
    public mutating func connectionEstablished(_ connection: ConnectionID, now: UInt64) -> EstablishedAction {
        switch self.connections[connection] {
        case nil, .leased:
            return .close(connection)
        case .idle(let deadline, _):
            return .park(connection, idleDeadline: deadline)
        case .connecting(let request):
            if self.isShutDown {
                self.connections[connection] = nil
                return .close(connection)
            }
            if let owner = request ?? self.waiters.popFirst() {
                self.connections[connection] = .leased(to: owner, uses: 1)
                return .lease(connection, to: owner)
            }
            if let deadline = self.parkOrRemove(connection, uses: 0, now: now) {
                return .park(connection, idleDeadline: deadline)
            }
            return .close(connection)
        }
    }

    /// What the shell does after a connection could not be opened.
    public enum FailedAction: Equatable, Sendable {
        /// The request this connection was opened for gets the error (the shell decides about retries by
        /// calling `leaseConnection` again, which queues the retry behind current waiters when full).
        case failRequest(RequestID, ConnectionPoolError)
        /// The request it was for is gone, but the freed slot lets the oldest waiter open a connection.
        case createConnection(ConnectionID, for: RequestID)
        /// Both: fail the request the connection was for, and open a new connection for the oldest waiter
        /// (without this the waiter would sit until its queue timeout).
        case failRequestAndCreate(RequestID, ConnectionPoolError, ConnectionID, for: RequestID)
        /// Nothing to do.
        case none
    }

    /// Opening a connection failed (refused, timeout, TLS). The connection leaves the pool.
    ///
    /// Unknown connections and connections that are not connecting (a late or duplicate report) get
    /// `.none` and change nothing.
    public mutating func connectionFailed(_ connection: ConnectionID) -> FailedAction {
        switch self.connections[connection] {
        case nil, .idle, .leased:
            return .none
        case .connecting(let request):
            self.connections[connection] = nil
            let next = self.connectionForNextWaiter()
            switch (request, next) {
            case (let request?, let (id, waiter)?):
                return .failRequestAndCreate(request, .connectFailed, id, for: waiter)
            case (let request?, nil):
                return .failRequest(request, .connectFailed)
            case (nil, let (id, waiter)?):
                return .createConnection(id, for: waiter)
            case (nil, nil):
                return .none
            }
        }
    }
}
