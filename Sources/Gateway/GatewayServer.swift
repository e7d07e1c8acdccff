public import GatewayConfig
public import Logging
public import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import Atomics
import NIOConcurrencyHelpers

/// The gateway: listeners, one `LoopContext` per event loop, graceful drain and live reload.
///
/// Every request is handled on the event loop that accepted its connection, with that loop's
/// configuration snapshot and upstream pools: no request touches another loop's state or a lock.
public final class GatewayServer: Sendable {
    private let group: any EventLoopGroup
    private let logger: Logger
    private let contexts: [ObjectIdentifier: LoopContext]
    private let state: NIOLockedValueBox<RunState>
    private let openConnections = ManagedAtomic<Int>(0)
    private let quiesce: ServerQuiescingHelper
    private let metrics: GatewayMetrics
    private let accessLog: AccessLog?

    private struct RunState {
        var configuration: GatewayConfiguration
        var serverChannels: [any Channel] = []
        var boundAddresses: [BoundListener] = []
        var statusServer: StatusServer?
    }

    /// Serving (listeners up, configuration loaded), and draining (shutdown begun): for /status/ready.
    private let ready = ManagedAtomic(false)
    private let draining = ManagedAtomic(false)
    private let startedAt = NIODeadline.now()

    /// A listener that accepts connections.
    public struct BoundListener: Sendable, CustomStringConvertible {
        public var address: SocketAddress
        public var tls: Bool
        /// The operations listener (`status_listen`), not a proxy listener.
        public var isStatus: Bool = false
        public var url: String {
            let host = self.address.ipAddress ?? "localhost"
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(self.tls ? "https" : "http")://\(shownHost):\(self.address.port ?? 0)"
        }
        public var description: String { self.url }
    }

    public init(configuration: GatewayConfiguration, group: any EventLoopGroup, logger: Logger) throws {
        self.group = group
        self.logger = logger
        let metrics = GatewayMetrics()
        let compiled = try CompiledConfiguration(configuration, metrics: metrics)
        let accessLog = try AccessLog(
            destination: configuration.proxy.accessLog,
            format: configuration.proxy.accessLogFormat,
            onDrop: { metrics.accessLogLinesDropped($0) }
        )
        var contexts: [ObjectIdentifier: LoopContext] = [:]
        for (index, loop) in group.makeIterator().enumerated() {
            contexts[ObjectIdentifier(loop)] = LoopContext(
                eventLoop: loop,
                configuration: compiled,
                logger: logger,
                loopIndex: index,
                metrics: metrics,
                accessLog: accessLog
            )
        }
        self.metrics = metrics
        self.accessLog = accessLog
        self.contexts = contexts
        self.state = NIOLockedValueBox(RunState(configuration: configuration))
        self.quiesce = ServerQuiescingHelper(group: group)
    }

    public var listeners: [BoundListener] { self.state.withLockedValue { $0.boundAddresses } }
    public var openConnectionCount: Int { self.openConnections.load(ordering: .relaxed) }

    /// Binds every listener of the configuration; returns once all accept connections.
    public func start() async throws {
        let configuration = self.state.withLockedValue { $0.configuration }
        let tlsContext = try Self.makeServerTLSContext(configuration.proxy)
        var channels: [any Channel] = []
        var bound: [BoundListener] = []
        do {
            for listen in configuration.proxy.listen {
                let channel = try await self.bind(listen, tlsContext: listen.ssl ? tlsContext : nil)
                channels.append(channel)
                if let address = channel.localAddress {
                    bound.append(BoundListener(address: address, tls: listen.ssl))
                }
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        var statusServer: StatusServer? = nil
        if let statusListen = configuration.proxy.statusListen {
            do {
                statusServer = try await StatusServer.start(
                    statusListen,
                    group: self.group,
                    report: { [self] loop in self.statusReport(on: loop) },
                    metrics: { [self] loop in self.metricsExposition(on: loop) }
                )
            } catch {
                for channel in channels { try? await channel.close() }
                throw error
            }
            if let address = statusServer?.channel.localAddress {
                bound.append(BoundListener(address: address, tls: false, isStatus: true))
            }
        }
        self.state.withLockedValue {
            $0.serverChannels = channels
            $0.boundAddresses = bound
            $0.statusServer = statusServer
        }
        self.ready.store(true, ordering: .relaxed)
    }

    /// Counts gathered from every event loop (its pools) and the instances' circuits, without touching a
    /// request: what `/status` and `/metrics` show.
    private func snapshot(on loop: any EventLoop) -> EventLoopFuture<GatewaySnapshot> {
        let compiledInstances = self.contexts.values.first.map { context in
            context.eventLoop.submit { context.configuration.pingAuthInstances }
        } ?? loop.makeSucceededFuture([])
        let counts = self.contexts.values.map { context in
            context.eventLoop.submit { (context.upstreamConnectionCounts(), context.sidebandConnectionCounts()) }
        }
        let open = self.openConnections.load(ordering: .relaxed)
        return EventLoopFuture.whenAllSucceed(counts, on: loop).and(compiledInstances).map { counts, instances in
            GatewaySnapshot(
                clientConnections: open,
                upstreamLeased: counts.reduce(0) { $0 + $1.0.leased },
                upstreamIdle: counts.reduce(0) { $0 + $1.0.idle },
                sidebandLeased: counts.reduce(0) { $0 + $1.1.leased },
                sidebandIdle: counts.reduce(0) { $0 + $1.1.idle },
                circuits: instances.map { (instance: $0.location, open: $0.breaker.isOpen) }
            )
        }
    }

    /// `/status`.
    private func statusReport(on loop: any EventLoop) -> EventLoopFuture<StatusReport> {
        let digest = self.state.withLockedValue { $0.configuration.digest }
        let uptime = Int((NIODeadline.now() - self.startedAt).nanoseconds / 1_000_000_000)
        let ready = self.ready.load(ordering: .relaxed) && !self.draining.load(ordering: .relaxed)
        let draining = self.draining.load(ordering: .relaxed)
        return self.snapshot(on: loop).map { snapshot in
            StatusReport(ready: ready, draining: draining, uptimeSeconds: uptime, configDigest: digest, counts: snapshot)
        }
    }

    /// `/metrics`: the gauges are set from the snapshot, then the registry is emitted.
    private func metricsExposition(on loop: any EventLoop) -> EventLoopFuture<[UInt8]> {
        let metrics = self.metrics
        return self.snapshot(on: loop).map { metrics.exposition($0) }
    }

    /// Swaps in a new configuration on every event loop. Requests already routed finish with the old one.
    /// Listener changes take effect only on restart.
    public func reload(_ configuration: GatewayConfiguration) async throws {
        let compiled = try CompiledConfiguration(configuration, metrics: self.metrics)
        self.state.withLockedValue { $0.configuration = configuration }
        var futures: [EventLoopFuture<Void>] = []
        for context in self.contexts.values {
            futures.append(context.eventLoop.submit { context.replaceConfiguration(compiled) })
        }
        for future in futures { try await future.get() }
    }

    /// Stops accepting, lets in-flight requests finish (idle keep-alive connections close at once, busy
    /// ones after their response, with `Connection: close`), and force-closes what remains after
    /// `drainTimeout`.
    public func shutdown(drainTimeout: TimeAmount) async {
        self.draining.store(true, ordering: .relaxed)
        let loop = self.group.next()
        let drained = loop.makePromise(of: Void.self)
        self.quiesce.initiateShutdown(promise: drained)
        let timeout = loop.scheduleTask(in: drainTimeout) {
            drained.fail(ChannelError.ioOnClosedChannel)
        }
        let finishedInTime = (try? await drained.futureResult.get()) != nil
        timeout.cancel()
        if !finishedInTime {
            self.logger.warning("drain timeout reached; closing remaining connections")
        }
        var futures: [EventLoopFuture<Void>] = []
        for context in self.contexts.values {
            futures.append(context.eventLoop.submit { context.shutdownPools() })
        }
        for future in futures { try? await future.get() }
        await self.state.withLockedValue({ $0.statusServer })?.close()
        await self.accessLog?.close()
    }

    // MARK: - Listeners

    private func bind(_ listen: ListenAddress, tlsContext: NIOSSLContext?) async throws -> any Channel {
        let settings = self.state.withLockedValue { $0.configuration.proxy }
        let contexts = self.contexts
        let counter = self.openConnections
        let quiesce = self.quiesce
        let maxConnections = settings.maxConnections
        let logger = self.logger
        let scheme = tlsContext == nil ? "http" : "https"
        let decoderLimits = Self.decoderLimits(settings)
        let asksForClientCertificates = settings.tls?.clientCA != nil
        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                let open = counter.wrappingIncrementThenLoad(ordering: .relaxed)
                channel.closeFuture.whenComplete { _ in counter.wrappingDecrement(ordering: .relaxed) }
                if maxConnections > 0 && open > maxConnections {
                    logger.warning("connection refused: max_connections reached", metadata: ["proxy.open": "\(open)"])
                    return channel.close()
                }
                guard let loopContext = contexts[ObjectIdentifier(channel.eventLoop)] else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let local = channel.localAddress
                    let remote = channel.remoteAddress
                    let connection = ClientConnectionInfo(
                        scheme: scheme,
                        listenerHost: local?.ipAddress ?? listen.host,
                        listenerPort: local?.port ?? listen.port,
                        peerIP: remote?.ipAddress ?? "0.0.0.0",
                        peerPort: remote?.port ?? 0
                    )
                    let sync = channel.pipeline.syncOperations
                    let proxy = ProxyHandler(loop: loopContext, connection: connection)
                    if let tlsContext {
                        // The server name the client asked for, for routes with `snis`; read from the
                        // ClientHello before the TLS handler consumes it.
                        let channelBox = NIOLoopBound(channel, eventLoop: channel.eventLoop)
                        try sync.addHandler(
                            ByteToMessageHandler(
                                SNIHandler { result in
                                    if case .hostname(let name) = result { proxy.tlsServerName = name.lowercased() }
                                    return channelBox.value.eventLoop.makeSucceededVoidFuture()
                                }
                            )
                        )
                        if asksForClientCertificates {
                            // BoringSSL still verifies; the callback only records the chain it verified
                            // (root first), which `include_full_cert_chain` describes to the policy. This is
                            // the per-certificate callback NIOSSL marks deprecated: its replacement takes over
                            // verification entirely, which we do not want to re-implement.
                            let recorder = VerifiedChainRecorder()
                            proxy.verifiedChain = recorder
                            try sync.addHandler(
                                NIOSSLServerHandler(context: tlsContext) { result, certificate in
                                    if case .certificateVerified = result { recorder.rootFirst.append(certificate) }
                                    return result
                                }
                            )
                        } else {
                            try sync.addHandler(NIOSSLServerHandler(context: tlsContext))
                        }
                    }
                    let observer = ClientActivityObserver(proxy: proxy, canHalfClose: tlsContext == nil)
                    proxy.rawOutput = observer
                    try sync.addHandler(observer)
                    try sync.configureHTTPServerPipeline(
                        withPipeliningAssistance: true,
                        withServerUpgrade: nil,
                        withErrorHandling: false,
                        // Every header we write was validated on its way in: the upstream's by NIO's strict
                        // parser, the policy's by SidebandAnswerParser (and again when a response is
                        // written), ours are built from validated parts. Re-checking each byte of each
                        // response was ~4% of the gateway's time under load.
                        withOutboundHeaderValidation: false,
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: decoderLimits
                    )
                    try sync.addHandler(RequestErrorResponder(observer: observer))
                    try sync.addHandler(proxy)
                }
            }
        return try await bootstrap.bind(host: listen.host, port: listen.port).get()
    }

    static func decoderLimits(_ settings: ProxySettings) -> NIOHTTPDecoderLimitConfiguration {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = settings.maxHeaderBytes
        limits.maxHeaderListSize = settings.maxHeaderBytes
        limits.maxHeaderFieldCount = settings.maxHeaders
        return limits
    }

    static func makeServerTLSContext(_ settings: ProxySettings) throws -> NIOSSLContext? {
        guard settings.listen.contains(where: \.ssl), let tls = settings.tls else { return nil }
        let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: tls.key, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
        if let clientCA = tls.clientCA {
            // Ask for a client certificate and verify it against client_ca when one is sent; the
            // ping-auth plugin passes the verified certificate to the policy.
            configuration.certificateVerification = .optionalVerification
            configuration.trustRoots = .file(clientCA)
            // BoringSSL's default list leaves out Ed25519; the policy must be able to see such clients too.
            configuration.verifySignatureAlgorithms = [
                .ecdsaSecp256R1Sha256, .ecdsaSecp384R1Sha384, .ecdsaSecp521R1Sha512,
                .rsaPssRsaeSha256, .rsaPssRsaeSha384, .rsaPssRsaeSha512,
                .rsaPkcs1Sha256, .rsaPkcs1Sha384, .rsaPkcs1Sha512, .ed25519,
            ]
        }
        return try NIOSSLContext(configuration: configuration)
    }
}
