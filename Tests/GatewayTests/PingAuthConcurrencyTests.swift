import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import TestSupport

@Suite struct PingAuthConcurrencyTests {
    /// The original plugin kept `state` in module globals: 276 of 300 concurrent response-phase calls
    /// carried another request's state (golden/lua/concurrency_crosstalk.json).
    @Test func concurrentRequestsEachCarryTheirOwnState() async throws {
        try await PingAuthTests.withPolicy(script: { call in
            if call.path.hasSuffix("/request") {
                var answer = call.json
                let headers = answer["headers"] as? [[String: String]] ?? []
                let identity = headers.first { $0["x-identity"] != nil }?["x-identity"] ?? "?"
                answer["state"] = "state-for-\(identity)"
                return .json(answer)
            }
            // response phase: answer with the state we were given, so the client sees which state arrived
            let state = call.json["state"] as? String ?? "none"
            return .json(["response_code": "200", "headers": [["X-State": state]], "body": call.json["body"] ?? ""])
        }) { gateway, _, provider in
            let count = 200
            let results = try await withThrowingTaskGroup(of: (Int, String?, String).self) { group in
                for index in 0..<count {
                    group.addTask {
                        let response = try await gateway.request(
                            "GET /who/\(index) HTTP/1.1\r\nHost: h\r\nX-Identity: id-\(index)\r\n\r\n"
                        )
                        return (index, response.header("x-state"), response.bodyText)
                    }
                }
                var all: [(Int, String?, String)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(results.count == count)
            for (index, state, body) in results {
                #expect(state == "state-for-id-\(index)")
                #expect(body.contains("\"/who/\(index)\""))
            }
            // and every response-phase call carried the state issued for the request it describes
            for call in provider.calls where call.path.hasSuffix("/response") {
                let state = call.json["state"] as? String
                let body = call.json["body"] as? String ?? ""
                let identity = state?.replacingOccurrences(of: "state-for-", with: "") ?? "missing"
                #expect(body.contains("[\"X-Identity\",\"\(identity)\"]"))
            }
        }
    }
}

@Suite struct PingAuthTLSProviderTests {
    static func tlsProvider(_ certificates: TestCertificates) async throws -> RecordingPolicyProvider {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificates.serverCertificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: certificates.serverKeyPath, format: .pem))
        )
        return try await RecordingPolicyProvider.start(tls: try NIOSSLContext(configuration: configuration))
    }

    func run(plugin: String, provider: RecordingPolicyProvider) async throws -> Int {
        let upstream = try await DemoUpstreamHandle.start()
        let gateway = try await GatewayHarness.start(
            PingAuthTests.config(upstream: upstream.port, provider: "https://127.0.0.1:\(provider.port)", plugin: plugin),
            environment: PingAuthTests.environment
        )
        defer { Task { await gateway.stop(); await upstream.close() } }
        return try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status
    }

    @Test func providerCertificateIsVerifiedUnlessDisabledOrTrustedThroughCABundle() async throws {
        let certificates = try TestCertificates()
        let provider = try await Self.tlsProvider(certificates)
        defer { Task { await provider.close() } }
        #expect(try await run(plugin: "", provider: provider) == 502)
        #expect(try await run(plugin: "verify_service_certificate: false", provider: provider) == 200)
        #expect(try await run(plugin: "ca_bundle: \(certificates.caCertificatePath)", provider: provider) == 200)
        #expect(provider.calls.count == 4)  // two allowed requests, both phases each
    }
}

/// An echo upstream that closes without throwing.
struct DemoUpstreamHandle {
    let server: DemoUpstream.EchoServer
    var port: Int { self.server.port }
    static func start() async throws -> DemoUpstreamHandle {
        DemoUpstreamHandle(server: try await .start(group: MultiThreadedEventLoopGroup.singleton))
    }
    func close() async { try? await self.server.close() }
}

import DemoUpstream
