public import GatewayConfig
public import Logging
import NIOCore
public import ServiceLifecycle
import UnixSignals

/// Runs a `GatewayServer` inside a `ServiceGroup`: binds, reports the listeners, waits for graceful
/// shutdown (SIGTERM/SIGINT), then drains within `proxy.drain_timeout_ms`.
public struct GatewayService: Service {
    public let server: GatewayServer
    private let drainTimeout: TimeAmount
    private let onReady: @Sendable ([GatewayServer.BoundListener]) -> Void

    public init(
        server: GatewayServer,
        drainTimeoutMilliseconds: Int,
        onReady: @escaping @Sendable ([GatewayServer.BoundListener]) -> Void
    ) {
        self.server = server
        self.drainTimeout = .milliseconds(Int64(drainTimeoutMilliseconds))
        self.onReady = onReady
    }

    public func run() async throws {
        try await self.server.start()
        self.onReady(self.server.listeners)
        try? await gracefulShutdown()
        await self.server.shutdown(drainTimeout: self.drainTimeout)
    }
}

/// Reloads the configuration on SIGHUP. A file that does not load is logged with every problem and
/// the configuration already serving stays in place.
public struct ConfigurationReloadService: Service {
    private let server: GatewayServer
    private let logger: Logger
    private let load: @Sendable () throws -> GatewayConfiguration

    public init(server: GatewayServer, logger: Logger, load: @escaping @Sendable () throws -> GatewayConfiguration) {
        self.server = server
        self.logger = logger
        self.load = load
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            do {
                let configuration = try self.load()
                try await self.server.reload(configuration)
                self.logger.notice("configuration reloaded", metadata: ["config.digest": "\(configuration.digest)"])
            } catch {
                self.logger.error(
                    "configuration reload failed; keeping the current configuration",
                    metadata: ["config.error": "\(error)"]
                )
            }
        }
    }
}
