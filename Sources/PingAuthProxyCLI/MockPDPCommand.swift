import ArgumentParser
import Foundation
import GatewayConfig
import Logging
import MockPDP
import MockPolicy
import NIOCore
import NIOPosix
import UnixSignals

struct MockPDPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-pdp",
        abstract: "Run a local PingAuthorize Sideband API driven by a rules file.",
        discussion: """
            Answers /sideband/request and /sideband/response like PingAuthorize. The rules file is reloaded \
            when it changes (an invalid file keeps the last good rules). GET /_mock/decisions lists recent \
            decisions. With --record-to and --forward-to it proxies a real PingAuthorize and records the \
            exchanges; with --replay it answers recorded calls offline.
            """
    )

    @Option(name: .long, help: "The rules file (YAML).")
    var rules: String?

    @Option(name: .long, help: "Validate a rules file, print every problem with its location, and exit (0 valid, 1 not).")
    var check: String?

    @Option(name: .long, help: "Listen on HOST:PORT.")
    var listen: String = "127.0.0.1:9100"

    @Option(name: .long, help: "TLS certificate (PEM) to serve https.")
    var tlsCert: String?

    @Option(name: .long, help: "TLS private key (PEM).")
    var tlsKey: String?

    @Option(name: .long, help: "Record every exchange to this JSONL file (with --forward-to).")
    var recordTo: String?

    @Option(name: .long, help: "Forward calls to this PingAuthorize base URL (with --record-to).")
    var forwardTo: String?

    @Option(name: .long, help: "Answer from the exchanges recorded in this JSONL file.")
    var replay: String?

    @Option(name: .long, help: "Log level.")
    var logLevel: String = "info"

    func validate() throws {
        if self.check == nil && self.rules == nil && self.replay == nil && self.forwardTo == nil {
            throw ValidationError("give --rules FILE (or --replay FILE, or --record-to FILE --forward-to URL)")
        }
        if (self.tlsCert == nil) != (self.tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if (self.recordTo == nil) != (self.forwardTo == nil) {
            throw ValidationError("--record-to and --forward-to go together")
        }
    }

    func run() async throws {
        if let check = self.check {
            do {
                let rules = try MockRules.load(path: check)
                Output.line("rules OK: \(rules.ruleNames.count) rules")
                return
            } catch {
                Output.line("\(error)")
                throw ExitCode(1)
            }
        }
        guard let address = ListenAddress.parse(self.listen), !address.ssl else {
            throw ValidationError("--listen \(self.listen): expected HOST:PORT (for https, give --tls-cert and --tls-key)")
        }
        let logger = Output.bootstrapLogging(level: self.logLevel)
        var configuration = MockPDPServer.Configuration(logger: logger)
        configuration.host = address.host
        configuration.port = address.port
        configuration.rulesPath = self.rules
        configuration.recordTo = self.recordTo
        configuration.forwardTo = self.forwardTo
        configuration.replayFrom = self.replay
        if let certificate = self.tlsCert, let key = self.tlsKey {
            configuration.tls = .init(certificatePath: certificate, keyPath: key)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let server: MockPDPServer
        do {
            server = try await MockPDPServer.start(configuration, group: group)
        } catch {
            Output.error("mock-pdp cannot start: \(error)")
            try? await group.shutdownGracefully()
            throw ExitCode(1)
        }
        let scheme = self.tlsCert == nil ? "http" : "https"
        Output.line("mock-pdp listening on \(scheme)://\(address.host):\(server.port)")
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        for await _ in signals { break }
        await server.close()
        try? await group.shutdownGracefully()
    }
}
