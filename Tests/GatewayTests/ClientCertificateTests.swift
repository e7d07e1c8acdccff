import Foundation
import NIOSSL
import Testing
import TestSupport

/// mTLS: the verified client certificate reaches the policy as `client_certificate` (JWK + x5c).
@Suite struct ClientCertificateTests {
    @Test(arguments: TestCertificates.ClientKeyType.allCases)
    func clientCertificateIsDescribedAsJWK(_ keyType: TestCertificates.ClientKeyType) async throws {
        let certificates = try TestCertificates()
        let client = try certificates.issueClientCertificate(keyType)
        try await PingAuthTests.withPolicy(
            proxy: """
                listen: ["127.0.0.1:0 ssl"], tls: {certificate: "\(certificates.serverCertificatePath)", \
                key: "\(certificates.serverKeyPath)", client_ca: "\(certificates.caCertificatePath)"}
                """
        ) { gateway, _, provider in
            let port = try #require(gateway.tlsPort)
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(certificates.caCertificatePath)
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(client.certificatePath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: client.keyPath, format: .pem))
            let connection = try await RawHTTPConnection.connect(
                port: port,
                tls: try NIOSSLContext(configuration: configuration),
                serverName: "localhost"
            )
            try await connection.send("GET /mtls HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let response = try await connection.readResponse()
            await connection.close()
            #expect(response.status == 200)
            let payload = try #require(provider.calls.first).json
            let jwk = try #require(payload["client_certificate"] as? [String: Any])
            for (member, value) in client.expectedJWK where member != "x5c0" {
                #expect(jwk[member] as? String == value, "\(keyType) \(member)")
            }
            let x5c = try #require(jwk["x5c"] as? [String])
            #expect(x5c == [client.expectedJWK["x5c0"]!])
            #expect(Set(jwk.keys) == Set(client.expectedJWK.keys.filter { $0 != "x5c0" }).union(["x5c"]))
        }
    }

    @Test func fullChainIsDescribedWhenConfigured() async throws {
        let certificates = try TestCertificates()
        let client = try certificates.issueClientCertificate(.p256)
        try await PingAuthTests.withPolicy(
            plugin: "include_full_cert_chain: true",
            proxy: """
                listen: ["127.0.0.1:0 ssl"], tls: {certificate: "\(certificates.serverCertificatePath)", \
                key: "\(certificates.serverKeyPath)", client_ca: "\(certificates.caCertificatePath)"}
                """
        ) { gateway, _, provider in
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.trustRoots = .file(certificates.caCertificatePath)
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(client.certificatePath).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: client.keyPath, format: .pem))
            let connection = try await RawHTTPConnection.connect(
                port: try #require(gateway.tlsPort),
                tls: try NIOSSLContext(configuration: configuration),
                serverName: "localhost"
            )
            try await connection.send("GET /chain HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)
            await connection.close()
            let jwk = try #require(provider.calls.first?.json["client_certificate"] as? [String: Any])
            let x5c = try #require(jwk["x5c"] as? [String])
            // the leaf, then the CA it was verified against
            #expect(x5c.count == 2)
            #expect(x5c.first == client.expectedJWK["x5c0"])
            let caDER = try NIOSSLCertificate.fromPEMFile(certificates.caCertificatePath)[0].toDERBytes()
            #expect(x5c.last == Data(caDER).base64EncodedString())
        }
    }

    @Test func plainConnectionsHaveNoClientCertificate() async throws {
        try await PingAuthTests.withPolicy { gateway, _, provider in
            _ = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(provider.calls.first?.json["client_certificate"] == nil)
        }
    }
}
