import ArgumentParser
import DemoUpstream
import Foundation
import Gateway
import GatewayConfig
import Logging
import MockPDP
import MockPolicy
import NIOPosix
import ServiceLifecycle

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway with an embedded mock policy server and a demo upstream, and print curl commands to try."
    )

    @Option(name: .long, help: "Gateway port.")
    var port: Int = 8000

    @Option(name: .long, help: "Demo upstream port.")
    var upstreamPort: Int = 9000

    @Option(name: .long, help: "Mock policy server port.")
    var pdpPort: Int = 9100

    func run() async throws {
        let logger = Output.bootstrapLogging(level: "notice")
        let sideGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let upstream = try await EchoServer.start(host: "127.0.0.1", port: self.upstreamPort, group: sideGroup)
        let rules = try MockRules.parse(MockRules.quickStartText, sourceName: "Config/policies/default.yml (embedded)")
        var pdpConfiguration = MockPDPServer.Configuration(logger: logger)
        pdpConfiguration.host = "127.0.0.1"
        pdpConfiguration.port = self.pdpPort
        pdpConfiguration.rules = rules
        let pdp = try await MockPDPServer.start(pdpConfiguration, group: sideGroup)
        let text = Self.embeddedConfiguration(gatewayPort: self.port, upstreamPort: upstream.port, pdpPort: pdp.port)
        let configuration = try ConfigurationLoader.parse(text, environment: [:])
        Output.line("demo upstream on http://127.0.0.1:\(upstream.port)")
        Output.line("mock policy server on http://127.0.0.1:\(pdp.port) (decisions: GET /_mock/decisions)")
        try await Runner.runGateway(configuration: configuration, logger: logger, reload: { configuration }) {
            listeners in
            guard let url = listeners.first?.url else { return }
            Output.line(
                """

                Try:
                  curl -i \(url)/demo/orders      # allowed: the policy lets it through to the demo upstream
                  curl -i \(url)/demo/admin       # denied: the policy answers 403 itself
                  curl -i \(url)/demo/hello       # modified: the upstream sees the header X-Policy: modified
                  curl -s http://127.0.0.1:\(pdp.port)/_mock/decisions   # what the policy decided, and which rule
                Press Ctrl-C to stop.
                """
            )
        }
        await pdp.close()
        try? await upstream.close()
        try? await sideGroup.shutdownGracefully()
    }

    static func embeddedConfiguration(gatewayPort: Int, upstreamPort: Int, pdpPort: Int) -> String {
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
            plugins:
              - name: ping-auth
                config:
                  service_url: http://127.0.0.1:\(pdpPort)
                  shared_secret: demo-secret
                  secret_header_name: CLIENT-TOKEN
        """
    }
}
