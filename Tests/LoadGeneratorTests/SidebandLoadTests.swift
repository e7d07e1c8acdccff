import LoadGenerator
import SidebandClient
import Logging
import MockPDP
import MockPolicy
import NIOPosix
import TestSupport
import Testing

/// The `sideband` target against our mock PDP over real HTTP and HTTPS: the gateway's payloads, both phases,
/// the shared secret, and TLS trust options.
@Suite struct SidebandLoadTests {
    static func rules(contextMethod: String = "state") -> String {
        """
        settings:
          shared_secrets: [bench-secret]
          request_context_method: \(contextMethod)
          decision_log_size: 100000
        request_rules: []
        default:
          request: allow
          response: pass
        """
    }

    /// Both phases of the gateway's calls, with the synthetic request.
    static func source(_ base: TargetURL, secret: String) -> SidebandRequestSource {
        SidebandRequestSource(
            endpoint: SidebandEndpoint(serviceURL: base.description)!,
            template: .synthetic,
            secretHeaderName: "CLIENT-TOKEN",
            sharedSecret: secret,
            responsePhase: true
        )
    }

    static func plan(_ base: TargetURL, rate: Double, connections: Int, milliseconds: Int64) -> LoadPlan {
        openPlan(
            target: "sideband",
            url: base.description,
            rate: rate,
            connections: connections,
            duration: .milliseconds(milliseconds)
        )
    }

    /// Every request allowed, every response-phase call answered: with `state` the mock hands back the
    /// original request in `state`, with `request` it gets the whole request payload back in the
    /// response-phase payload; both must be what the mock can read.
    @Test(arguments: ["state", "request"])
    func everyRequestAndResponsePhaseCallIsAnswered(contextMethod: String) async throws {
        try await withMock(rules: Self.rules(contextMethod: contextMethod)) { server in
            let base = TargetURL("http://127.0.0.1:\(server.port)")!
            let source = Self.source(base, secret: "bench-secret")
            let plan = Self.plan(base, rate: 200, connections: 4, milliseconds: 500)
            let run = try await runLoad(plan, target: try LoadTarget(url: base), source: source)
            let result = run.result
            #expect(result.target == "sideband")
            #expect(result.requests + result.unsent == 100)
            // At least some within the window even on a loaded machine; the rest are counted as unsent.
            #expect(result.requests >= 1)
            #expect(result.errors == BenchResult.Errors(timeout: 0, connect: 0, status: 0))
            #expect(result.statusCodes == ["200": result.requests])

            // The provider saw both calls for every request (the probe before the run sends the first only).
            let decisions = server.decisions
            let requestCalls = decisions.filter { $0.phase == .request }
            let responseCalls = decisions.filter { $0.phase == .response }
            #expect(requestCalls.count == result.requests + 1)
            #expect(responseCalls.count == result.requests)
            #expect(responseCalls.allSatisfy { $0.status == 200 && $0.decision == "pass" })
            #expect(decisions.allSatisfy { $0.decision != "unauthorized" })
        }
    }

    @Test func aWrongSecretIsCountedAsStatusErrorsAndTheRunCompletes() async throws {
        try await withMock(rules: Self.rules()) { server in
            let base = TargetURL("http://127.0.0.1:\(server.port)")!
            let source = Self.source(base, secret: "not-the-secret")
            let plan = Self.plan(base, rate: 100, connections: 2, milliseconds: 300)
            let run = try await runLoad(plan, target: try LoadTarget(url: base), source: source)
            let requests = run.result.requests
            #expect(requests + run.result.unsent == 30)
            #expect(requests >= 1)
            #expect(run.result.errors == BenchResult.Errors(timeout: 0, connect: 0, status: requests))
            #expect(run.result.statusCodes == ["401": requests])
            #expect(server.decisions.allSatisfy { $0.phase == .request && $0.decision == "unauthorized" })
        }
    }

    @Test func loadsATLSProviderTrustedThroughACABundle() async throws {
        let certificates = try TestCertificates()
        var configuration = try Self.configuration(rules: Self.rules())
        configuration.tls = .init(
            certificatePath: certificates.serverCertificatePath,
            keyPath: certificates.serverKeyPath
        )
        try await withMock(configuration) { server in
            let base = TargetURL("https://127.0.0.1:\(server.port)")!
            let source = Self.source(base, secret: "bench-secret")
            let plan = Self.plan(base, rate: 100, connections: 2, milliseconds: 300)

            let trusted = try await runLoad(
                plan,
                target: try LoadTarget(url: base, caBundlePath: certificates.caCertificatePath),
                source: source
            )
            #expect(trusted.result.requests + trusted.result.unsent == 30)
            #expect(trusted.result.requests >= 1)
            #expect(trusted.result.errors == BenchResult.Errors(timeout: 0, connect: 0, status: 0))
            #expect(trusted.result.statusCodes == ["200": trusted.result.requests])

            // --insecure: no verification at all.
            let insecure = try await runLoad(
                plan,
                target: try LoadTarget(url: base, verifyCertificate: false),
                source: source
            )
            #expect(insecure.result.errors == BenchResult.Errors(timeout: 0, connect: 0, status: 0))
            #expect(insecure.result.statusCodes == ["200": insecure.result.requests])

            // The system's trust store does not know the test CA: the probe fails, the run never starts.
            let refused = await #expect(throws: LoadRunError.self) {
                try await runLoad(plan, target: try LoadTarget(url: base), source: source)
            }
            #expect(refused?.isUnreachable == true)
        }
    }

    // MARK: - Harness

    static func configuration(rules: String) throws -> MockPDPServer.Configuration {
        var configuration = MockPDPServer.Configuration(
            port: 0,
            logger: Logger(label: "bench-test-mock") { _ in SwiftLogNoOpLogHandler() }
        )
        configuration.rules = try MockRules.parse(rules, sourceName: "bench-test.yml")
        return configuration
    }

    func withMock(rules: String, _ body: (MockPDPServer) async throws -> Void) async throws {
        try await self.withMock(try Self.configuration(rules: rules), body)
    }

    /// Starts a mock PDP on 127.0.0.1:0, runs `body`, and closes the server even when `body` throws.
    func withMock(
        _ configuration: MockPDPServer.Configuration,
        _ body: (MockPDPServer) async throws -> Void
    ) async throws {
        let server = try await MockPDPServer.start(configuration, group: MultiThreadedEventLoopGroup.singleton)
        do {
            try await body(server)
        } catch {
            await server.close()
            throw error
        }
        await server.close()
    }
}
