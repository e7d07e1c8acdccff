import DemoUpstream
import Foundation
import Gateway
import GatewayConfig
import Logging
import NIOCore
import NIOPosix
import TestSupport

/// A gateway running in-process on an ephemeral port, with the configuration given as YAML.
struct GatewayHarness {
    let server: GatewayServer
    let port: Int
    let tlsPort: Int?
    let statusPort: Int?

    static func start(_ yaml: String, environment: [String: String] = [:], logger: Logger? = nil) async throws
        -> GatewayHarness
    {
        var configuration = try ConfigurationLoader.parse(yaml, environment: environment)
        // Tests that do not ask for an access log keep the test output clean.
        if !yaml.contains("access_log") { configuration.proxy.accessLog = .off }
        let logger = logger ?? {
            var quiet = Logger(label: "gateway-test")
            quiet.logLevel = .critical
            return quiet
        }()
        let server = try GatewayServer(configuration: configuration, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        try await server.start()
        let plain = server.listeners.first { !$0.tls && !$0.isStatus }?.address.port
        let tls = server.listeners.first { $0.tls }?.address.port
        let status = server.listeners.first { $0.isStatus }?.address.port
        return GatewayHarness(server: server, port: plain ?? tls ?? 0, tlsPort: tls, statusPort: status)
    }

    func stop() async {
        await self.server.shutdown(drainTimeout: .seconds(5))
    }

    /// One request on a fresh connection, closed afterwards.
    func request(_ raw: String, headRequest: Bool = false) async throws -> HTTPTestResponse {
        let connection = try await RawHTTPConnection.connect(port: self.port)
        defer { Task { await connection.close() } }
        try await connection.send(raw)
        return try await connection.readResponse(headRequest: headRequest)
    }
}

/// Runs `body` with a gateway and an echo upstream, and always shuts both down.
func withGateway(
    _ yaml: (_ upstreamPort: Int) -> String,
    environment: [String: String] = [:],
    _ body: (GatewayHarness, EchoServer) async throws -> Void
) async throws {
    let upstream = try await EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
    let gateway: GatewayHarness
    do {
        gateway = try await GatewayHarness.start(yaml(upstream.port), environment: environment)
    } catch {
        try? await upstream.close()
        throw error
    }
    do {
        try await body(gateway, upstream)
    } catch {
        await gateway.stop()
        try? await upstream.close()
        throw error
    }
    await gateway.stop()
    try? await upstream.close()
}

/// The echo upstream's description of the request it received.
struct EchoedRequest {
    var method: String
    var uri: String
    var headers: [(String, String)]
    var bodyBytes: Int
    var body: String?

    init(_ response: HTTPTestResponse) throws {
        let json = try response.json()
        self.method = json["method"] as? String ?? ""
        self.uri = json["uri"] as? String ?? ""
        self.headers = (json["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }
        self.bodyBytes = json["body_bytes"] as? Int ?? -1
        self.body = json["body"] as? String
    }

    func header(_ name: String) -> String? {
        self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    func headerValues(_ name: String) -> [String] {
        self.headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
    }
}

/// A port nothing listens on, reserved for the whole test run (see `RefusingPort`).
let refusingPortForTests: RefusingPort = {
    do { return try RefusingPort() } catch { fatalError("cannot reserve a refusing port: \(error)") }
}()

func unusedPort() -> Int {
    refusingPortForTests.port
}
