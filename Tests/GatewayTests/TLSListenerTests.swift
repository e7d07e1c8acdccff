import NIOSSL
import Testing
import TestSupport

@Suite struct TLSListenerTests {
    @Test func sslListenerServesWithTheConfiguredCertificate() async throws {
        let certificates = try TestCertificates()
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy:
              listen: ["127.0.0.1:0 ssl"]
              \(certificates.proxyTLSEntry)
            services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/"]}]}]
            """
        }) { gateway, _ in
            let port = try #require(gateway.tlsPort)
            let context = try certificates.trustingClientContext()
            let connection = try await RawHTTPConnection.connect(port: port, tls: context, serverName: "localhost")
            try await connection.send("GET /secure HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 200)
            let echoed = try EchoedRequest(response)
            #expect(echoed.header("x-forwarded-proto") == "https")
            #expect(echoed.uri == "/secure")
            await connection.close()

            // a client that does not trust our CA cannot complete the handshake
            let strict = try NIOSSLContext(configuration: .makeClientConfiguration())
            let refused = try await RawHTTPConnection.connect(port: port, tls: strict, serverName: "localhost")
            try? await refused.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try await refused.waitForClose(timeout: .seconds(5)))
        }
    }

    @Test func clientCAMakesTheListenerAskForClientCertificates() async throws {
        let certificates = try TestCertificates()
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy:
              listen: ["127.0.0.1:0 ssl"]
              tls:
                certificate: "\(certificates.serverCertificatePath)"
                key: "\(certificates.serverKeyPath)"
                client_ca: "\(certificates.caCertificatePath)"
            services: [{name: s, url: "http://127.0.0.1:\(port)", routes: [{name: r, paths: ["/"]}]}]
            """
        }) { gateway, _ in
            let port = try #require(gateway.tlsPort)
            // a client certificate is optional: without one the request still goes through
            let connection = try await RawHTTPConnection.connect(
                port: port,
                tls: try certificates.trustingClientContext(),
                serverName: "localhost"
            )
            try await connection.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)
            await connection.close()
        }
    }
}

@Suite struct SNIRoutingTests {
    @Test func routesWithSnisMatchTheServerNameTheClientSent() async throws {
        let certificates = try TestCertificates()
        try await withGateway({ port in
            """
            _format_version: "3.0"
            proxy:
              listen: ["127.0.0.1:0 ssl"]
              \(certificates.proxyTLSEntry)
            services:
              - name: by-sni
                url: http://127.0.0.1:\(port)/sni
                routes: [{name: sni, snis: ["localhost"], paths: ["/"]}]
              - name: fallback
                url: http://127.0.0.1:\(port)/plain
                routes: [{name: plain, paths: ["/"]}]
            """
        }) { gateway, _ in
            let port = try #require(gateway.tlsPort)
            let context = try certificates.trustingClientContext()
            let named = try await RawHTTPConnection.connect(port: port, tls: context, serverName: "localhost")
            try await named.send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try EchoedRequest(await named.readResponse()).uri == "/sni/x")
            await named.close()
            // an IP literal sends no SNI: the sni route does not match
            let unnamed = try await RawHTTPConnection.connect(port: port, tls: context, serverName: nil)
            try await unnamed.send("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(try EchoedRequest(await unnamed.readResponse()).uri == "/plain/x")
            await unnamed.close()
        }
    }
}
