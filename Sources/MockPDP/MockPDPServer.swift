import Logging
import MockPolicy
import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// `ping-auth-proxy mock-pdp`: a local PingAuthorize Sideband API for policy development, gateway tests
/// and benchmarks.
///
/// Serves `POST …/sideband/request` and `POST …/sideband/response` (any path prefix) over HTTP/1.1 with
/// keep-alive, optionally TLS, answering from the rules engine (`MockRules`), from a real provider
/// (forward, optionally recording), or from recordings (replay). Authenticates callers like PingAuthorize
/// (shared-secret header, several secrets for rotation, 401 otherwise), injects the faults the rules ask
/// for, logs every decision, keeps the last ones for `GET /_mock/decisions`, answers `GET /_mock/health`,
/// and reloads a rules file when it changes (keeping the last good rules when the new file is invalid).
public final class MockPDPServer: Sendable {
    private let channel: any Channel
    private let core: MockPDPCore
    private let watcher: Task<Void, Never>?
    private let closed = NIOLockedValueBox(false)

    /// The port the server listens on (the chosen one when configured with port 0).
    public var port: Int { self.channel.localAddress?.port ?? 0 }

    /// The kept decisions (the last `decision_log_size`), newest last.
    public var decisions: [MockDecisionRecord] { self.core.decisionLog.snapshot() }

    private init(channel: any Channel, core: MockPDPCore, watcher: Task<Void, Never>?) {
        self.channel = channel
        self.core = core
        self.watcher = watcher
    }

    /// Validates the configuration, loads the rules / recordings, binds, and starts watching the rules
    /// file.
    ///
    /// - Throws: `MockRulesError` for an invalid rules file (every problem, with its place),
    ///   `MockPDPError` for a contradictory configuration or unreadable replay/record/TLS files, and the
    ///   bind error when the address is taken.
    public static func start(
        _ configuration: Configuration,
        group: any EventLoopGroup
    ) async throws
        -> MockPDPServer
    {
        if configuration.rulesPath != nil && configuration.rules != nil {
            throw MockPDPError.conflictingModes("a rules file and embedded rules")
        }
        if configuration.forwardTo != nil && configuration.replayFrom != nil {
            throw MockPDPError.conflictingModes("forwarding to a provider and replaying recordings")
        }
        if configuration.recordTo != nil && configuration.forwardTo == nil {
            throw MockPDPError.recordWithoutForward
        }

        var rules = configuration.rules
        var stamp: FileStamp?
        if let path = configuration.rulesPath {
            // Stamped before reading, so a write during the load is seen by the first poll.
            stamp = FileStamp.of(path: path)
            rules = try MockRules.load(path: path)
        }

        let mode: MockPDPCore.Mode
        let modeDescription: String
        if let forwardTo = configuration.forwardTo {
            let forwarder = try Forwarder(
                forwardTo: forwardTo,
                tlsConfiguration: configuration.forwardTLS,
                timeout: configuration.forwardTimeout
            )
            let recordFile = try configuration.recordTo.map { path throws(MockPDPError) in try RecordFile(path: path) }
            mode = .forward(forwarder, recordFile)
            modeDescription =
                "forwarding to \(forwarder.endpoint)" + (recordFile.map { ", recording to \($0.path)" } ?? "")
        } else if let replayFrom = configuration.replayFrom {
            let book = try ReplayBook.load(path: replayFrom)
            mode = .replay(book)
            modeDescription = "replaying \(book.count) recordings from \(replayFrom)"
        } else {
            guard let rules else { throw MockPDPError.noRules }
            mode = .rules
            modeDescription = "\(rules.ruleNames.count) rules" + (configuration.rulesPath.map { " from \($0)" } ?? "")
        }

        let tlsContext = try configuration.tls.map { try Self.makeTLSContext($0) }
        let core = MockPDPCore(
            mode: mode,
            rules: rules,
            logger: configuration.logger,
            random: configuration.random,
            maxBodyBytes: configuration.maxBodyBytes
        )

        let channel: any Channel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 1024)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    core.connections.add(channel)
                    return channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        if let tlsContext {
                            try sync.addHandler(NIOSSLServerHandler(context: tlsContext))
                        }
                        try sync.configureHTTPServerPipeline(withErrorHandling: true)
                        try sync.addHandler(MockPDPHandler(core: core))
                    }
                }
                .bind(host: configuration.host, port: configuration.port).get()
        } catch {
            if case .forward(_, let recordFile) = mode { recordFile?.close() }
            throw error
        }

        let watcher = configuration.rulesPath.map { path in
            RulesWatcher.start(path: path, interval: configuration.reloadInterval, initialStamp: stamp, core: core)
        }
        let server = MockPDPServer(channel: channel, core: core, watcher: watcher)
        let scheme = tlsContext == nil ? "http" : "https"
        configuration.logger.info(
            "mock-pdp listening on \(scheme)://\(configuration.host):\(server.port) (\(modeDescription))"
        )
        return server
    }

    /// Stops watching, stops accepting, closes open connections and forwarded-call pools, and closes the
    /// record file. Idempotent.
    public func close() async {
        let first = self.closed.withLockedValue { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        self.watcher?.cancel()
        try? await self.channel.close()
        await self.core.connections.closeAll()
        if case .forward(let forwarder, let recordFile) = self.core.mode {
            await forwarder.shutdown()
            recordFile?.close()
        }
    }

    private static func makeTLSContext(_ files: TLSFiles) throws(MockPDPError) -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: files.keyPath, format: .pem)
            let configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain,
                privateKey: .privateKey(key)
            )
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .tls("cannot load \(files.certificatePath) / \(files.keyPath): \(error)")
        }
    }
}
