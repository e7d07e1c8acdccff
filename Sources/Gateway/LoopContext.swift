import CoreMetrics
import ConnectionPool
import GatewayConfig
import Logging
import NIOCore
import SidebandClient

/// Everything one event loop needs to serve requests, owned by that loop so the request path takes no
/// locks: the current configuration (swapped in by `execute` on reload), its upstream pools, and the
/// listener facts for each of its client connections.
///
/// `@unchecked Sendable` because channel initializers (which are `@Sendable`) must reach it; every
/// member is only read or written on `eventLoop`, which `assertInEventLoop` checks in debug builds.
final class LoopContext: @unchecked Sendable {
    let eventLoop: any EventLoop
    let logger: Logger
    let metrics: GatewayMetrics
    private let accessLog: AccessLog?
    private var accessLogFormatter: AccessLogFormatter?
    private(set) var configuration: CompiledConfiguration
    private var pools: [UpstreamKey: UpstreamPool] = [:]
    private var sidebandClients: [ObjectIdentifier: SidebandClient] = [:]
    private var requestCounter: UInt64 = 0
    /// This loop's cache of `kong_http_requests_total` series (route metrics live as long as the gateway,
    /// cached by name in GatewayMetrics, so their identity is stable across reloads).
    private var requestCounters: [RequestCounterKey: CoreMetrics.Counter] = [:]

    private struct RequestCounterKey: Hashable {
        var route: ObjectIdentifier
        var status: UInt
    }
    private let loopTag: UInt64

    init(
        eventLoop: any EventLoop,
        configuration: CompiledConfiguration,
        logger: Logger,
        loopIndex: Int,
        metrics: GatewayMetrics,
        accessLog: AccessLog?
    ) {
        self.eventLoop = eventLoop
        self.configuration = configuration
        self.logger = logger
        self.metrics = metrics
        self.accessLog = accessLog
        self.accessLogFormatter = accessLog.map { AccessLogFormatter(format: $0.format) }
        self.loopTag = UInt64(loopIndex) << 48
    }

    func replaceConfiguration(_ configuration: CompiledConfiguration) {
        self.eventLoop.assertInEventLoop()
        self.configuration = configuration
        // Instances of the old configuration get no new requests; their idle connections can go.
        let current = Set(configuration.pingAuthInstances.map { ObjectIdentifier($0) })
        for (id, client) in self.sidebandClients where !current.contains(id) {
            client.shutdown()
            self.sidebandClients.removeValue(forKey: id)
        }
    }

    /// This loop's connections to a `ping-auth` instance's provider.
    func sidebandClient(for instance: PingAuthInstance) -> SidebandClient {
        self.eventLoop.assertInEventLoop()
        let id = ObjectIdentifier(instance)
        if let client = self.sidebandClients[id] { return client }
        let client = SidebandClient(settings: instance.clientSettings, eventLoop: self.eventLoop)
        self.sidebandClients[id] = client
        return client
    }

    /// A request's response is written (or its client left): count it, and log it.
    func requestFinished(_ record: RequestRecord) {
        let route = record.route ?? self.configuration.unmatchedMetrics
        let key = RequestCounterKey(route: ObjectIdentifier(route), status: record.status)
        if let counter = self.requestCounters[key] {
            counter.increment()
        } else {
            let counter = route.requestCounter(status: record.status)
            self.requestCounters[key] = counter
            counter.increment()
        }
        route.record(record)
        if let accessLog = self.accessLog, self.accessLogFormatter != nil {
            accessLog.append(self.accessLogFormatter!.line(for: record))
        }
    }

    /// A process-unique request id without shared state: loop index in the top bits, a counter below.
    func nextRequestID() -> UInt64 {
        self.requestCounter &+= 1
        return self.loopTag | (self.requestCounter & 0xFFFF_FFFF_FFFF)
    }

    func pool(for key: UpstreamKey) -> UpstreamPool {
        self.eventLoop.assertInEventLoop()
        if let pool = self.pools[key] { return pool }
        let settings = self.configuration.source.proxy
        let pool = UpstreamPool(
            host: key.host,
            port: key.port,
            eventLoop: self.eventLoop,
            configuration: ConnectionPoolConfiguration(
                maxConnections: settings.upstreamMaxConnections,
                maxIdleConnections: settings.upstreamKeepalivePoolSize,
                idleTimeoutNanoseconds: UInt64(settings.upstreamKeepaliveIdleTimeoutMs) * 1_000_000,
                maxRequestsPerConnection: settings.upstreamKeepaliveMaxRequests,
                queueTimeoutNanoseconds: 60_000_000_000
            ),
            tlsContext: key.scheme == .https
                ? self.configuration.upstreamTLS.context(verify: key.tlsVerify) : nil
        )
        self.pools[key] = pool
        return pool
    }

    func shutdownPools() {
        self.eventLoop.assertInEventLoop()
        for pool in self.pools.values { pool.shutdown() }
        for client in self.sidebandClients.values { client.shutdown() }
    }

    /// Leased and idle connections to policy providers.
    func sidebandConnectionCounts() -> (leased: Int, idle: Int) {
        self.sidebandClients.values.reduce(into: (0, 0)) { sum, client in
            sum.0 += client.leasedConnections
            sum.1 += client.idleConnections
        }
    }

    /// Open and idle upstream connections, for status and tests.
    func upstreamConnectionCounts() -> (leased: Int, idle: Int) {
        self.pools.values.reduce(into: (0, 0)) { sum, pool in
            sum.0 += pool.leasedCount
            sum.1 += pool.idleCount
        }
    }
}
