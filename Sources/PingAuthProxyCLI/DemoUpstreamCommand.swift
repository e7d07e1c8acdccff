import ArgumentParser
import DemoUpstream
import NIOPosix
import ServiceLifecycle
import UnixSignals

struct DemoUpstreamCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-upstream",
        abstract: "Run only the demo upstream: an HTTP service that answers every request with a JSON description of it."
    )

    @Option(name: .long, help: "Listen host.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Listen port.")
    var port: Int = 9000

    @Option(name: .long, help: "Event loop threads.")
    var threads: Int = 1

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, self.threads))
        let server = try await EchoServer.start(host: self.host, port: self.port, group: group)
        Output.line("demo upstream listening on http://\(self.host):\(server.port)")
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        for await _ in signals { break }
        try? await server.close()
        try? await group.shutdownGracefully()
    }
}
