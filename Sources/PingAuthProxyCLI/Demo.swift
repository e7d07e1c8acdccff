import ArgumentParser
import DemoUpstream
import Foundation
import Gateway
import GatewayConfig
import NIOPosix
import ServiceLifecycle

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway on an embedded configuration with a demo upstream, and print curl commands to try."
    )

    @Option(name: .long, help: "Gateway port.")
    var port: Int = 8000

    @Option(name: .long, help: "Demo upstream port.")
    var upstreamPort: Int = 9000

    func run() async throws {
        let logger = Output.bootstrapLogging(level: "notice")
        let upstreamGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await EchoServer.start(host: "127.0.0.1", port: self.upstreamPort, group: upstreamGroup)
        let text = Self.embeddedConfiguration(gatewayPort: self.port, upstreamPort: upstream.port)
        let configuration = try ConfigurationLoader.parse(text, environment: [:])
        Output.line("demo upstream on http://127.0.0.1:\(upstream.port)")
        try await Runner.runGateway(configuration: configuration, logger: logger, reload: { configuration }) {
            listeners in
            guard let url = listeners.first?.url else { return }
            Output.line(
                """

                Try:
                  curl -i \(url)/demo/hello                       # proxied to the demo upstream (path stripped)
                  curl -i -X POST -d '{"qty":2}' \(url)/demo/orders  # request body streamed upstream
                  curl -i \(url)/nowhere                          # 404: no route, Kong's JSON body
                Press Ctrl-C to stop.
                """
            )
        }
        try? await upstream.close()
        try? await upstreamGroup.shutdownGracefully()
    }

    static func embeddedConfiguration(gatewayPort: Int, upstreamPort: Int) -> String {
        """
        _format_version: "3.0"
        proxy:
          listen: ["127.0.0.1:\(gatewayPort)"]
        services:
          - name: demo
            url: http://127.0.0.1:\(upstreamPort)
            routes:
              - name: demo
                paths: ["/demo"]
        """
    }
}
