/// The keep-alive connection pool of one upstream on one event loop, as a pure state machine.
///
/// Every transition is a `mutating` function that takes an event (a request wants a connection, a
/// connection came up, a timer fired, ...) and returns the action the I/O shell must perform: open a
/// connection, hand one to a request, schedule a timer, close a connection, fail a request. The machine
/// does no I/O, reads no clock (time comes in as `now`, monotonic nanoseconds) and allocates the
/// `ConnectionID`s itself, so it can be tested event by event without sockets or threads.
///
/// Policy:
/// - A request first gets the most recently parked idle connection (LIFO: the warmest socket, and older
///   ones are left alone long enough to hit their idle timeout and shrink the pool).
/// - Otherwise a new connection is opened *for that request*; it is handed to that request when it comes
///   up, even if another connection is released meanwhile (that one is parked).
/// - When the pool holds `maxConnections` (connecting + leased + idle), the request waits in a FIFO queue
///   until a connection is released or a slot frees up, or until its queue deadline.
///
/// Expired idle connections met while leasing: an idle connection whose deadline has passed is never
/// handed out. `leaseConnection` removes such connections from the pool (freeing their slots at once) and
/// sets them aside; the shell collects them with `takeExpiredIdleConnections()` right after leasing and
/// closes them. If it does not, their already scheduled idle timer still gets `true` from
/// `idleTimerFired`, so nothing leaks.
///
/// Late and duplicate events are not errors: the shell races with peers closing sockets and with timers,
/// so every transition accepts a connection or request it no longer knows (or knows in another state) and
/// answers with the harmless action, leaving the state unchanged. Each transition documents its answer.
public struct ConnectionPoolStateMachine: Sendable {
    /// Where one connection is in its life. Connections the machine has told the shell to close are not
    /// in the table at all.
    enum ConnectionState: Sendable, Equatable {
        /// Being opened for `request`; `nil` once that request was cancelled (or failed by shutdown), in
        /// which case the connection goes to the next waiter or is parked when it comes up.
        case connecting(for: RequestID?)
        /// Parked for reuse; must not be handed out at or after `deadline`. Has served `uses` requests.
        case idle(deadline: UInt64, uses: Int)
        /// Serving `request`; this lease is its `uses`-th (counted against `maxRequestsPerConnection`).
        case leased(to: RequestID, uses: Int)
    }

    let configuration: ConnectionPoolConfiguration

    /// Every connection the pool is responsible for (counts against `maxConnections`).
    var connections: [ConnectionID: ConnectionState] = [:]

    /// The idle connections in the order they were parked; the last one is the next to be reused. Because
    /// `now` only grows, deadlines never decrease from bottom to top.
    var idleStack: [ConnectionID] = []

    /// Requests waiting because the pool is at `maxConnections`.
    var waiters = RequestQueue()

    /// Expired idle connections removed by `leaseConnection`, waiting for the shell to close them.
    var expiredIdle: [ConnectionID] = []

    var nextConnectionID = 0

    /// Once true, no connection is opened or handed out again.
    public internal(set) var isShutDown = false

    public init(configuration: ConnectionPoolConfiguration) {
        self.configuration = configuration
    }

    // MARK: - Observability

    /// Connections parked for reuse (expired ones set aside for closing are not counted).
    public var idleCount: Int { self.idleStack.count }

    /// Connections currently serving a request.
    public var leasedCount: Int {
        self.connections.values.reduce(0) { count, state in
            switch state {
            case .leased: count + 1
            case .connecting, .idle: count
            }
        }
    }

    /// Connections being opened.
    public var connectingCount: Int {
        self.connections.values.reduce(0) { count, state in
            switch state {
            case .connecting: count + 1
            case .idle, .leased: count
            }
        }
    }

    /// Requests queued because the pool is at `maxConnections`.
    public var waitingCount: Int { self.waiters.count }

    /// All connections counted against `maxConnections` (idle + leased + connecting).
    public var connectionCount: Int { self.connections.count }

    /// True once `shutdown()` was called and every connection has been closed or told to close: the shell
    /// may drop the pool.
    public var hasShutDownCompletely: Bool {
        self.isShutDown && self.connections.isEmpty && self.expiredIdle.isEmpty
    }

    // MARK: - Helpers shared by the transitions

    /// Whether one more connection fits under `maxConnections` (0 or less: unlimited).
    var hasCapacity: Bool {
        self.configuration.maxConnections <= 0 || self.connections.count < self.configuration.maxConnections
    }

    /// Whether a connection that has served `uses` requests must not serve another.
    func isExhausted(uses: Int) -> Bool {
        self.configuration.maxRequestsPerConnection > 0 && uses >= self.configuration.maxRequestsPerConnection
    }

    /// Registers a new connection being opened for `request` and returns its fresh id.
    mutating func makeConnection(for request: RequestID?) -> ConnectionID {
        let id = ConnectionID(self.nextConnectionID)
        self.nextConnectionID += 1
        self.connections[id] = .connecting(for: request)
        return id
    }

    /// Parks `connection` if an idle slot is free and returns its idle deadline; otherwise removes it from
    /// the pool (the caller tells the shell to close it) and returns nil.
    mutating func parkOrRemove(_ connection: ConnectionID, uses: Int, now: UInt64) -> UInt64? {
        guard self.idleStack.count < self.configuration.maxIdleConnections else {
            self.connections[connection] = nil
            return nil
        }
        let deadline = Self.adding(now, self.configuration.idleTimeoutNanoseconds)
        self.connections[connection] = .idle(deadline: deadline, uses: uses)
        self.idleStack.append(connection)
        return deadline
    }

    /// Removes an idle connection from the table and the stack.
    mutating func removeIdle(_ connection: ConnectionID) {
        self.connections[connection] = nil
        if let index = self.idleStack.lastIndex(of: connection) {
            self.idleStack.remove(at: index)
        }
    }

    /// If a slot is free and someone waits, opens a connection for the oldest waiter.
    mutating func connectionForNextWaiter() -> (ConnectionID, RequestID)? {
        guard !self.isShutDown, self.hasCapacity, let waiter = self.waiters.popFirst() else { return nil }
        return (self.makeConnection(for: waiter), waiter)
    }

    /// `now + duration`, saturating instead of trapping for absurd timeouts.
    static func adding(_ now: UInt64, _ duration: UInt64) -> UInt64 {
        let (sum, overflow) = now.addingReportingOverflow(duration)
        return overflow ? .max : sum
    }
}
