public import ConnectionPool
public import NIOCore
import NIOHTTP1
import NIOPosix
public import NIOSSL

/// The I/O shell around `ConnectionPoolStateMachine` for one HTTP/1.1 endpoint on one event loop: it only
/// runs the actions the state machine returns (open, hand over, park, close, time out), so every decision
/// stays in the tested pure code. Confined to its event loop; nothing here takes a lock.
public final class HTTPConnectionPool<Owner: PooledConnectionOwner> {
    public let host: String
    public let port: Int
    public let eventLoop: any EventLoop
    private var machine: ConnectionPoolStateMachine
    private var connections: [ConnectionID: PooledHTTPConnection<Owner>] = [:]
    private var waiters: [RequestID: (Owner, TimeAmount)] = [:]
    private var pendingConnect: [ConnectionID: RequestID] = [:]
    /// One idle-timeout task per connection that has been parked, and when it fires.
    private var idleTimers: [ConnectionID: (timer: Scheduled<Void>, firesAt: UInt64)] = [:]
    private var queueTimers: [RequestID: Scheduled<Void>] = [:]
    private var nextRequestID = 0
    private let tlsContext: NIOSSLContext?
    private let serverName: String?
    private let decoderLimits: NIOHTTPDecoderLimitConfiguration

    /// - Parameters:
    ///   - tlsContext: TLS client context for https endpoints, nil for plain HTTP.
    ///   - serverName: SNI and certificate name; defaults to `host` unless it is an IP literal.
    public init(
        host: String,
        port: Int,
        eventLoop: any EventLoop,
        configuration: ConnectionPoolConfiguration,
        tlsContext: NIOSSLContext?,
        serverName: String? = nil
    ) {
        self.host = host
        self.port = port
        self.eventLoop = eventLoop
        self.machine = ConnectionPoolStateMachine(configuration: configuration)
        self.tlsContext = tlsContext
        self.serverName = serverName ?? (host.isIPAddressLiteral ? nil : host)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldCount = 1000
        self.decoderLimits = limits
    }

    public var idleCount: Int { self.machine.idleCount }
    public var leasedCount: Int { self.machine.leasedCount }
    /// Connections opened since the pool was created (for tests and status).
    public private(set) var connectionsOpened = 0


    /// Asks for a connection for `requester`; the answer arrives through `requester.leaseCompleted`, possibly
    /// before this returns (an idle connection). Returns the request id, which the requester uses to cancel.
    public func lease(for requester: Owner, connectTimeout: TimeAmount) -> RequestID {
        self.nextRequestID += 1
        let request = RequestID(self.nextRequestID)
        self.waiters[request] = (requester, connectTimeout)
        self.run(self.machine.leaseConnection(for: request, now: monotonicNow()))
        return request
    }

    public func cancel(_ request: RequestID) {
        guard self.waiters.removeValue(forKey: request) != nil else { return }
        self.queueTimers.removeValue(forKey: request)?.cancel()
        self.machine.cancelRequest(request)
    }

    /// The request is done with the connection.
    public func release(_ connection: PooledHTTPConnection<Owner>, reusable: Bool) {
        connection.owner = nil
        switch self.machine.releaseConnection(connection.id, reusable: reusable, now: monotonicNow()) {
        case .lease(let id, let request):
            self.handOver(id, to: request)
        case .park(let id, let deadline):
            self.park(id, deadline: deadline)
        case .close(let id):
            self.connections[id]?.close()
        case .closeAndCreate(let closing, let id, let request):
            self.connections[closing]?.close()
            self.createConnection(id, for: request)
        }
    }

    func connectionClosed(_ connection: PooledHTTPConnection<Owner>) {
        guard self.connections.removeValue(forKey: connection.id) != nil else { return }
        self.idleTimers.removeValue(forKey: connection.id)?.timer.cancel()
        switch self.machine.connectionClosed(connection.id) {
        case .none: break
        case .createConnection(let id, let request): self.createConnection(id, for: request)
        }
    }

    public func shutdown() {
        let (close, fail) = self.machine.shutdown()
        for id in close { self.connections[id]?.close() }
        for request in fail {
            if let (requester, _) = self.waiters.removeValue(forKey: request) {
                requester.leaseCompleted(.failed(ConnectionPoolError.shutdown))
            }
        }
    }

    // MARK: - Running actions

    private func run(_ action: ConnectionPoolStateMachine.LeaseAction) {
        switch action {
        case .useIdleConnection(let id, let request):
            // Its idle timer stays scheduled: it will find the connection leased (or idle again with a
            // later deadline) and do nothing (or wait on).
            self.handOver(id, to: request, reused: true)
        case .createConnection(let id, let request):
            self.createConnection(id, for: request)
        case .enqueue(let request, let deadline):
            let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
            self.queueTimers[request] = self.eventLoop.scheduleTask(
                deadline: NIODeadline.uptimeNanoseconds(deadline)
            ) {
                let pool = loopBound.value
                pool.queueTimers.removeValue(forKey: request)
                if let action = pool.machine.queueTimedOut(request) { pool.run(action) }
            }
        case .failRequest(let request, let error):
            self.queueTimers.removeValue(forKey: request)?.cancel()
            if let (requester, _) = self.waiters.removeValue(forKey: request) {
                requester.leaseCompleted(.failed(error))
            }
        }
        for expired in self.machine.takeExpiredIdleConnections() {
            self.idleTimers.removeValue(forKey: expired)?.timer.cancel()
            self.connections[expired]?.close()
        }
    }

    private func handOver(_ id: ConnectionID, to request: RequestID, reused: Bool = true) {
        self.queueTimers.removeValue(forKey: request)?.cancel()
        guard let connection = self.connections[id], let (requester, _) = self.waiters.removeValue(forKey: request)
        else {
            // The requester went away in the same tick: give the connection back.
            if let connection = self.connections[id] { self.release(connection, reusable: true) }
            return
        }
        connection.owner = requester
        connection.servedRequests += 1
        requester.leaseCompleted(.leased(connection, reused: reused && connection.servedRequests > 1))
    }

    /// Idle timers are kept across leases: a connection parked again gets a later deadline, so the task
    /// already scheduled is kept and, when it fires early, waits on for the rest. (Scheduling and
    /// cancelling a task on every lease and release was measurable per request.)
    private func park(_ id: ConnectionID, deadline: UInt64) {
        if let existing = self.idleTimers[id], existing.firesAt <= deadline { return }
        self.idleTimers.removeValue(forKey: id)?.timer.cancel()
        self.scheduleIdleTimer(id, at: deadline)
    }

    private func scheduleIdleTimer(_ id: ConnectionID, at deadline: UInt64) {
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        let timer = self.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(deadline)) {
            let pool = loopBound.value
            pool.idleTimers.removeValue(forKey: id)
            if pool.machine.idleTimerFired(id, now: monotonicNow()) {
                pool.connections[id]?.close()
            } else if let later = pool.machine.idleDeadline(of: id) {
                pool.scheduleIdleTimer(id, at: later)
            }
        }
        self.idleTimers[id] = (timer, deadline)
    }

    private func createConnection(_ id: ConnectionID, for request: RequestID) {
        let connectTimeout = self.waiters[request]?.1 ?? .seconds(60)
        let tlsContext = self.tlsContext
        let serverName = self.serverName
        let decoderLimits = self.decoderLimits
        let handlerBox = NIOLoopBound(PooledHTTPConnection<Owner>(id: id, pool: self), eventLoop: self.eventLoop)
        self.connectionsOpened += 1
        let bootstrap = ClientBootstrap(group: self.eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    // Requests written here carry headers already validated (the client's, parsed by NIO's
                    // strict parser; the policy's, by SidebandAnswerParser; ours, built from checked
                    // configuration); NIO's outbound re-validation was ~6% of the gateway's time.
                    try sync.addHTTPClientHandlers(
                        enableOutboundHeaderValidation: false,
                        decoderLimitConfiguration: decoderLimits
                    )
                    try sync.addHandler(handlerBox.value)
                }
            }
        self.pendingConnect[id] = request
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        bootstrap.connect(host: self.host, port: self.port).hop(to: self.eventLoop).whenComplete { result in
            let pool = loopBound.value
            pool.pendingConnect.removeValue(forKey: id)
            switch result {
            case .success:
                pool.connections[id] = handlerBox.value
                switch pool.machine.connectionEstablished(id, now: monotonicNow()) {
                case .lease(let id, let request): pool.handOver(id, to: request, reused: false)
                case .park(let id, let deadline): pool.park(id, deadline: deadline)
                case .close(let id): pool.connections[id]?.close()
                }
            case .failure(let error):
                switch pool.machine.connectionFailed(id) {
                case .failRequest(let request, _):
                    if let (requester, _) = pool.waiters.removeValue(forKey: request) {
                        requester.leaseCompleted(.failed(error))
                    }
                case .failRequestAndCreate(let request, _, let id, let waiter):
                    if let (requester, _) = pool.waiters.removeValue(forKey: request) {
                        requester.leaseCompleted(.failed(error))
                    }
                    pool.createConnection(id, for: waiter)
                case .createConnection(let id, let request):
                    pool.createConnection(id, for: request)
                case .none:
                    break
                }
            }
        }
    }
}

@available(*, unavailable)
extension HTTPConnectionPool: Sendable {}

/// The pool state machine's clock: monotonic nanoseconds.
private func monotonicNow() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

extension String {
    /// IP literals get no SNI (RFC 6066 §3 forbids it).
    var isIPAddressLiteral: Bool {
        if self.contains(":") { return true }
        let parts = self.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy { $0 >= "0" && $0 <= "9" } }
    }
}
