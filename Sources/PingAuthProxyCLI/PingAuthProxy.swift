import ArgumentParser
import Gateway

@main
struct PingAuthProxy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping-auth-proxy",
        abstract: "A reverse proxy that asks PingAuthorize (Sideband API) about every request, like Kong with ping-auth.",
        version: GatewayVersion.string,
        subcommands: [
            Serve.self, CheckConfig.self, MockPDPCommand.self, BenchCommand.self, Demo.self, DemoUpstreamCommand.self,
        ]
    )
}
