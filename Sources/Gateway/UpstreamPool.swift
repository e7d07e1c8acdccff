import ConnectionPool
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// What a request gets back from the pool.
enum UpstreamLeaseResult {
    case leased(UpstreamConnectionHandler, reused: Bool)
    case failed(any Error)
}

/// The I/O shell around `ConnectionPoolStateMachine` for one upstream on one event loop: it only runs the
/// actions the state machine returns (open, hand over, park, close, time out), so every decision stays in
/// the tested pure code. Confined to its event loop; nothing here takes a lock.
final class UpstreamPool {
    let key: UpstreamKey
    let eventLoop: any EventLoop
    private var machine: ConnectionPoolStateMachine
    private var connections: [ConnectionID: UpstreamConnectionHandler] = [:]
    private var waiters: [RequestID: (ProxyHandler, TimeAmount)] = [:]
    private var pendingConnect: [ConnectionID: RequestID] = [:]
    private var idleTimers: [ConnectionID: Scheduled<Void>] = [:]
    private var queueTimers: [RequestID: Scheduled<Void>] = [:]
    private var nextRequestID = 0
    private let tlsContext: NIOSSLContext?
    private let decoderLimits: NIOHTTPDecoderLimitConfiguration

    init(
        key: UpstreamKey,
        eventLoop: any EventLoop,
        configuration: ConnectionPoolConfiguration,
        tlsContext: NIOSSLContext?
    ) {
        self.key = key
        self.eventLoop = eventLoop
        self.machine = ConnectionPoolStateMachine(configuration: configuration)
        self.tlsContext = tlsContext
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldCount = 1000
        self.decoderLimits = limits
    }

    var idleCount: Int { self.machine.idleCount }
    var leasedCount: Int { self.machine.leasedCount }

    private static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Asks for a connection for `requester`; the answer arrives through `requester.upstreamLeaseCompleted`.
    /// Returns the request id, which the requester uses to cancel.
    func lease(for requester: ProxyHandler, connectTimeout: TimeAmount) -> RequestID {
        self.nextRequestID += 1
        let request = RequestID(self.nextRequestID)
        self.waiters[request] = (requester, connectTimeout)
        self.run(self.machine.leaseConnection(for: request, now: Self.now()))
        return request
    }

    func cancel(_ request: RequestID) {
        guard self.waiters.removeValue(forKey: request) != nil else { return }
        self.queueTimers.removeValue(forKey: request)?.cancel()
        self.machine.cancelRequest(request)
    }

    /// The request is done with the connection.
    func release(_ connection: UpstreamConnectionHandler, reusable: Bool) {
        connection.owner = nil
        switch self.machine.releaseConnection(connection.id, reusable: reusable, now: Self.now()) {
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

    func connectionClosed(_ connection: UpstreamConnectionHandler) {
        guard self.connections.removeValue(forKey: connection.id) != nil else { return }
        self.idleTimers.removeValue(forKey: connection.id)?.cancel()
        switch self.machine.connectionClosed(connection.id) {
        case .none: break
        case .createConnection(let id, let request): self.createConnection(id, for: request)
        }
    }

    func shutdown() {
        let (close, fail) = self.machine.shutdown()
        for id in close { self.connections[id]?.close() }
        for request in fail {
            if let (requester, _) = self.waiters.removeValue(forKey: request) {
                requester.upstreamLeaseCompleted(.failed(ConnectionPoolError.shutdown))
            }
        }
    }

    // MARK: - Running actions

    private func run(_ action: ConnectionPoolStateMachine.LeaseAction) {
        switch action {
        case .useIdleConnection(let id, let request):
            self.idleTimers.removeValue(forKey: id)?.cancel()
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
                requester.upstreamLeaseCompleted(.failed(error))
            }
        }
        for expired in self.machine.takeExpiredIdleConnections() {
            self.idleTimers.removeValue(forKey: expired)?.cancel()
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
        requester.upstreamLeaseCompleted(.leased(connection, reused: reused && connection.servedRequests > 1))
    }

    private func park(_ id: ConnectionID, deadline: UInt64) {
        self.idleTimers.removeValue(forKey: id)?.cancel()
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        self.idleTimers[id] = self.eventLoop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(deadline)) {
            let pool = loopBound.value
            pool.idleTimers.removeValue(forKey: id)
            if pool.machine.idleTimerFired(id, now: UpstreamPool.now()) {
                pool.connections[id]?.close()
            }
        }
    }

    private func createConnection(_ id: ConnectionID, for request: RequestID) {
        let connectTimeout = self.waiters[request]?.1 ?? .seconds(60)
        let tlsContext = self.tlsContext
        let host = self.key.host
        let decoderLimits = self.decoderLimits
        let handlerBox = NIOLoopBound(UpstreamConnectionHandler(id: id, pool: self), eventLoop: self.eventLoop)
        let bootstrap = ClientBootstrap(group: self.eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        let serverName = host.isIPAddressLiteral ? nil : host
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try sync.addHTTPClientHandlers(decoderLimitConfiguration: decoderLimits)
                    try sync.addHandler(handlerBox.value)
                }
            }
        self.pendingConnect[id] = request
        let loopBound = NIOLoopBound(self, eventLoop: self.eventLoop)
        bootstrap.connect(host: host, port: self.key.port).hop(to: self.eventLoop).whenComplete { result in
            let pool = loopBound.value
            pool.pendingConnect.removeValue(forKey: id)
            switch result {
            case .success:
                pool.connections[id] = handlerBox.value
                switch pool.machine.connectionEstablished(id, now: UpstreamPool.now()) {
                case .lease(let id, let request): pool.handOver(id, to: request, reused: false)
                case .park(let id, let deadline): pool.park(id, deadline: deadline)
                case .close(let id): pool.connections[id]?.close()
                }
            case .failure(let error):
                switch pool.machine.connectionFailed(id) {
                case .failRequest(let request, _):
                    if let (requester, _) = pool.waiters.removeValue(forKey: request) {
                        requester.upstreamLeaseCompleted(.failed(error))
                    }
                case .failRequestAndCreate(let request, _, let id, let waiter):
                    if let (requester, _) = pool.waiters.removeValue(forKey: request) {
                        requester.upstreamLeaseCompleted(.failed(error))
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
extension UpstreamPool: Sendable {}

extension String {
    /// IP literals get no SNI (RFC 6066 §3 forbids it).
    var isIPAddressLiteral: Bool {
        if self.contains(":") { return true }
        let parts = self.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }
    }
}
