import MockPDP
import NIOSSL
import TestSupport
import Testing

/// Serving HTTPS with a configured certificate and key.
@Suite struct MockPDPTLSTests {
    @Test func servesSidebandCallsOverTLS() async throws {
        let certificates = try TestCertificates()
        var configuration = try testConfiguration(
            rules: "request_rules:\n  - name: all-denied\n    deny: {status: 401}\n"
        )
        configuration.tls = .init(
            certificatePath: certificates.serverCertificatePath,
            keyPath: certificates.serverKeyPath
        )
        try await withMockPDP(configuration) { server in
            var trusting = TLSConfiguration.makeClientConfiguration()
            trusting.trustRoots = .file(certificates.caCertificatePath)
            let answer = try await call(
                server,
                payload: requestPayload(path: "/a"),
                tls: try NIOSSLContext(configuration: trusting)
            )
            #expect(answer.status == 200)
            #expect(answer.bodyText.contains(#""response_code":"401""#))
            #expect(server.decisions.last?.rule == "all-denied")

            // A plain-HTTP caller gets no answer from a TLS listener.
            let plain = try await RawHTTPConnection.connect(port: server.port)
            try await plain.send(sidebandRequest(path: "/sideband/request", payload: requestPayload(path: "/a")))
            #expect(try await plain.waitForClose())
            #expect(
                plain.pendingBytes.isEmpty || !String(decoding: plain.pendingBytes, as: UTF8.self).hasPrefix("HTTP/")
            )
            await plain.close()
        }
    }

    @Test func refusesToStartWithAMissingCertificate() async throws {
        var configuration = try testConfiguration(rules: "request_rules: []\n")
        configuration.tls = .init(certificatePath: "/nonexistent.pem", keyPath: "/nonexistent.key")
        await #expect(throws: MockPDPError.self) {
            try await withMockPDP(configuration) { _ in }
        }
    }
}
