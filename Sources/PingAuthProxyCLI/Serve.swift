import ArgumentParser
import Foundation
import Gateway
import GatewayConfig
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway.",
        discussion: """
            Prints one `listening on URL` line per listener once it accepts connections. SIGTERM or SIGINT \
            drain in-flight requests and exit 0; SIGHUP reloads the file.
            """
    )

    @Option(name: .long, help: "The configuration file (Kong declarative YAML or JSON).")
    var config: String

    @Option(name: .long, help: "Listen on HOST:PORT (append ' ssl' for TLS); repeatable; replaces proxy.listen.")
    var listen: [String] = []

    @Option(name: .long, help: "Log level (trace, debug, info, notice, warning, error, critical); overrides proxy.log_level.")
    var logLevel: String?

    func run() async throws {
        let path = self.config
        let overrides = try self.listenOverrides()
        let load: @Sendable () throws -> GatewayConfiguration = {
            var configuration = try ConfigurationLoader.load(path: path)
            if !overrides.isEmpty { configuration.proxy.listen = overrides }
            return configuration
        }
        let configuration: GatewayConfiguration
        do {
            configuration = try load()
        } catch let error as ConfigurationError {
            Output.error("\(path): invalid configuration")
            for problem in error.problems { Output.error(problem.description) }
            throw ExitCode(1)
        }
        let logger = Output.bootstrapLogging(level: self.logLevel ?? configuration.proxy.logLevel)
        try await Runner.runGateway(configuration: configuration, logger: logger, reload: load)
    }

    private func listenOverrides() throws -> [ListenAddress] {
        try self.listen.map { text in
            guard let address = ListenAddress.parse(text) else {
                throw ValidationError("--listen \(text): expected HOST:PORT or 'HOST:PORT ssl'")
            }
            return address
        }
    }
}

/// Runs the gateway as a service group until SIGTERM/SIGINT.
enum Runner {
    static func runGateway(
        configuration: GatewayConfiguration,
        logger: Logger,
        reload: @escaping @Sendable () throws -> GatewayConfiguration,
        extraServices: [any Service] = [],
        onReady: @escaping @Sendable ([GatewayServer.BoundListener]) -> Void = { _ in }
    ) async throws {
        let threads = configuration.proxy.workerThreads
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads > 0 ? threads : System.coreCount)
        let server: GatewayServer
        do {
            server = try GatewayServer(configuration: configuration, group: group, logger: logger)
        } catch {
            Output.error("cannot start: \(error)")
            try? await group.shutdownGracefully()
            throw ExitCode(1)
        }
        let gateway = GatewayService(server: server, drainTimeoutMilliseconds: configuration.proxy.drainTimeoutMs) {
            listeners in
            for listener in listeners {
                Output.line(listener.isStatus ? "status listening on \(listener.url)" : "listening on \(listener.url)")
            }
            onReady(listeners)
        }
        let reloader = ConfigurationReloadService(server: server, logger: logger, load: reload)
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            [.init(service: gateway), .init(service: reloader)] + extraServices.map { .init(service: $0) }
        let serviceGroup = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await serviceGroup.run()
        } catch {
            Output.error("gateway stopped: \(error)")
            try? await group.shutdownGracefully()
            throw ExitCode(1)
        }
        try? await group.shutdownGracefully()
    }
}

/// Console output: result lines on stdout (flushed, so a supervising process sees them at once),
/// diagnostics on stderr.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func bootstrapLogging(level: String) -> Logger {
        let logLevel = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var logger = Logger(label: "ping-auth-proxy")
        logger.logLevel = logLevel
        return logger
    }
}
