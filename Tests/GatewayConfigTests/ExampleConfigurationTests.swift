import Foundation
import Testing

@testable import GatewayConfig

@Suite struct ExampleConfigurationTests {
    /// PRODUCT.md's example, verbatim apart from the commented lines.
    static let productExample = """
        _format_version: "3.0"
        proxy:
          listen: ["127.0.0.1:8000"]
        services:
          - name: orders
            url: http://127.0.0.1:9000/api
            routes:
              - name: orders
                paths: ["/orders"]
            plugins:
              - name: ping-auth
                config:
                  service_url: https://pingauthorize:8443
                  shared_secret: "{vault://env/PAZ_SHARED_SECRET}"
                  secret_header_name: CLIENT-TOKEN
        """

    @Test func productExampleLoadsWithEveryDefaultInPlace() throws {
        let config = try ConfigFixtures.load(Self.productExample)

        var expectedProxy = ProxySettings()
        expectedProxy.listen = [ListenAddress(host: "127.0.0.1", port: 8000)]
        #expect(config.proxy == expectedProxy)
        #expect(config.proxy.statusListen == nil)
        #expect(config.proxy.tls == nil)
        #expect(config.proxy.trustedIPs.isEmpty)
        #expect(config.proxy.realIPHeader == "x-real-ip")
        #expect(config.proxy.realIPRecursive == false)
        #expect(config.proxy.clientTimeoutMs == 60000)
        #expect(config.proxy.keepaliveTimeoutMs == 75000)
        #expect(config.proxy.maxHeaderBytes == 65536)
        #expect(config.proxy.maxHeaders == 100)
        #expect(config.proxy.maxBodyBytes == 1_048_576)
        #expect(config.proxy.maxConnections == 10000)
        #expect(config.proxy.latencyHeaders)
        #expect(config.proxy.drainTimeoutMs == 30000)
        #expect(config.proxy.upstreamKeepalivePoolSize == 512)
        #expect(config.proxy.upstreamKeepaliveIdleTimeoutMs == 60000)
        #expect(config.proxy.upstreamKeepaliveMaxRequests == 10000)
        #expect(config.proxy.upstreamMaxConnections == 0)
        #expect(config.proxy.logLevel == "info")

        #expect(
            config.services == [
                ServiceConfig(
                    name: "orders",
                    scheme: .http,
                    host: "127.0.0.1",
                    port: 9000,
                    path: "/api",
                    connectTimeoutMs: 60000,
                    readTimeoutMs: 60000,
                    writeTimeoutMs: 60000,
                    retries: 5,
                    tlsVerify: false,
                    enabled: true,
                    location: "services[0]"
                )
            ]
        )

        let route = try #require(config.routes.first)
        #expect(config.routes.count == 1)
        #expect(route.name == "orders")
        #expect(route.serviceIndex == 0)
        #expect(route.protocols == ["http", "https"])
        #expect(route.methods.isEmpty && route.hosts.isEmpty && route.headers.isEmpty && route.snis.isEmpty)
        #expect(route.paths == ["/orders"])
        #expect(route.stripPath == true)
        #expect(route.preserveHost == false)
        #expect(route.regexPriority == 0)
        #expect(route.httpsRedirectStatusCode == 426)
        #expect(route.requestBuffering && route.responseBuffering)
        #expect(route.location == "services[0].routes[0]")

        let plugin = try #require(config.plugins.first)
        #expect(config.plugins.count == 1)
        #expect(plugin.name == "ping-auth")
        #expect(plugin.instanceName == nil)
        #expect(plugin.enabled)
        #expect(plugin.scope == .service(0))
        #expect(plugin.location == "services[0].plugins[0]")
        var expectedPingAuth = PingAuthConfig(
            serviceURL: "https://pingauthorize:8443",
            sharedSecret: ConfigFixtures.secret,
            secretHeaderName: "CLIENT-TOKEN"
        )
        expectedPingAuth.connectionTimeoutMs = 10000
        #expect(plugin.pingAuth == expectedPingAuth)
        #expect(plugin.pingAuth.connectionKeepAliveMs == 60000)
        #expect(plugin.pingAuth.verifyServiceCertificate == true)
        #expect(plugin.pingAuth.enableDebugLogging == false)
        #expect(plugin.pingAuth.failOpen == false)
        #expect(plugin.pingAuth.skipResponsePhase == false)
        #expect(plugin.pingAuth.passthroughStatusCodes == [413])
        #expect(plugin.pingAuth.maxRetries == 0)
        #expect(plugin.pingAuth.retryBackoffMs == 500)
        #expect(plugin.pingAuth.circuitBreakerEnabled)
        #expect(plugin.pingAuth.stripAcceptEncoding)
        #expect(plugin.pingAuth.caBundle == nil)
        #expect(plugin.pingAuth.maxSidebandBodyBytes == 1_048_576)
        #expect(plugin.pingAuth.includeFullCertChain == false)
        #expect(plugin.pingAuth.redactHeaders == ["authorization", "cookie"])
        #expect(plugin.pingAuth.includeBodyContentTypes == ["*"])

        #expect(config.effectivePlugin(named: "ping-auth", forRoute: 0) == plugin)
    }

    @Test func digestIsTheFnv1a64OfTheTextAndChangesWithIt() throws {
        let first = try ConfigFixtures.load(Self.productExample)
        let second = try ConfigFixtures.load(Self.productExample + "\n# a comment\n")
        #expect(first.digest.count == 16)
        #expect(first.digest.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(first.digest != second.digest)
        // Published FNV-1a 64 test vectors.
        #expect(Digest.fnv1a64Hex("".utf8) == "cbf29ce484222325")
        #expect(Digest.fnv1a64Hex("a".utf8) == "af63dc4c8601ec8c")
        #expect(Digest.fnv1a64Hex("foobar".utf8) == "85944171f73967e8")
    }

    @Test func everyPingAuthFieldIsRead() throws {
        let yaml = """
            _format_version: "3.0"
            plugins:
              - name: ping-auth
                instance_name: paz-main
                protocols: [http, https]
                config:
                  service_url: http://paz.internal:8080/prefix?tenant=a
                  shared_secret: plain-secret
                  secret_header_name: X-Gateway-Token
                  connection_timeout_ms: 2500
                  connection_keepAlive_ms: 30000
                  verify_service_certificate: false
                  enable_debug_logging: true
                  fail_open: true
                  skip_response_phase: true
                  passthrough_status_codes: [413, 429]
                  max_retries: 2
                  retry_backoff_ms: 100
                  circuit_breaker_enabled: false
                  strip_accept_encoding: false
                  max_sideband_body_bytes: 65536
                  include_full_cert_chain: true
                  redact_headers: [Authorization, X-Api-Key]
                  include_body_content_types: [application/json, "text/*"]
            """
        let config = try ConfigFixtures.load(yaml)
        let plugin = try #require(config.plugins.first)
        #expect(plugin.scope == .global)
        #expect(plugin.instanceName == "paz-main")
        #expect(plugin.protocols == ["http", "https"])
        let pingAuth = plugin.pingAuth
        #expect(pingAuth.serviceURL == "http://paz.internal:8080/prefix?tenant=a")
        #expect(pingAuth.sharedSecret == "plain-secret")
        #expect(pingAuth.secretHeaderName == "X-Gateway-Token")
        #expect(pingAuth.connectionTimeoutMs == 2500)
        #expect(pingAuth.connectionKeepAliveMs == 30000)
        #expect(pingAuth.verifyServiceCertificate == false)
        #expect(pingAuth.enableDebugLogging == true)
        #expect(pingAuth.failOpen == true)
        #expect(pingAuth.skipResponsePhase == true)
        #expect(pingAuth.passthroughStatusCodes == [413, 429])
        #expect(pingAuth.maxRetries == 2)
        #expect(pingAuth.retryBackoffMs == 100)
        #expect(pingAuth.circuitBreakerEnabled == false)
        #expect(pingAuth.stripAcceptEncoding == false)
        #expect(pingAuth.maxSidebandBodyBytes == 65536)
        #expect(pingAuth.includeFullCertChain == true)
        #expect(pingAuth.redactHeaders == ["authorization", "x-api-key"])
        #expect(pingAuth.includeBodyContentTypes == ["application/json", "text/*"])
    }

    @Test func jsonInputLoadsLikeYaml() throws {
        let json = """
            {
              "_format_version": "3.0",
              "proxy": {"listen": ["127.0.0.1:0"], "max_body_bytes": 0},
              "services": [
                {
                  "name": "orders",
                  "protocol": "https",
                  "host": "orders.internal",
                  "retries": 0,
                  "routes": [{"name": "orders", "paths": ["/orders"], "strip_path": false}],
                  "plugins": [{
                    "name": "ping-auth",
                    "config": {
                      "service_url": "https://pingauthorize:8443",
                      "shared_secret": "{vault://env/PAZ_SHARED_SECRET}",
                      "secret_header_name": "CLIENT-TOKEN",
                      "passthrough_status_codes": [413]
                    }
                  }]
                }
              ]
            }
            """
        let config = try ConfigFixtures.load(json)
        #expect(config.proxy.listen == [ListenAddress(host: "127.0.0.1", port: 0)])
        #expect(config.proxy.maxBodyBytes == 0)
        let service = try #require(config.services.first)
        #expect(service.scheme == .https)
        #expect(service.port == 443)
        #expect(service.retries == 0)
        #expect(config.routes.first?.stripPath == false)
        #expect(config.plugins.first?.pingAuth.sharedSecret == ConfigFixtures.secret)
    }

    @Test func shippedExampleFileLoadsWithTheSecretInTheEnvironment() throws {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = packageRoot.appendingPathComponent("Config/kong.yml").path
        let config = try ConfigurationLoader.load(path: path, environment: ConfigFixtures.environment)
        #expect(config.services.map(\.name) == ["orders", "users"])
        #expect(config.routes.map(\.name) == ["orders", "order-search", "users", "health"])
        #expect(config.routes.allSatisfy { $0.serviceIndex != nil })
        #expect(config.proxy.listen.allSatisfy { !$0.ssl })
        #expect(config.proxy.statusListen == nil)
        #expect(config.effectivePlugin(named: "ping-auth", forRoute: 1)?.instanceName == "orders-policy")
        #expect(config.effectivePlugin(named: "ping-auth", forRoute: 3) == nil)
        #expect(config.digest.count == 16)
    }

    @Test func yamlMergeKeysShareSettingsAndExplicitKeysWin() throws {
        let yaml = """
            _format_version: "3.0"
            x-defaults: &timeouts
              connect_timeout: 1000
              read_timeout: 2000
            services:
              - name: a
                host: a.internal
                <<: *timeouts
                read_timeout: 3000
                routes: [{paths: ["/a"]}]
            """
        // `x-defaults` is not a Kong section: reported as unknown, the merge itself works.
        let problems = ConfigFixtures.problems(yaml)
        #expect(problems == [ConfigurationProblem(path: "x-defaults", message: "unknown field")])

        let valid = """
            _format_version: "3.0"
            services:
              - name: a
                host: a.internal
                <<: {connect_timeout: 1000, read_timeout: 2000}
                read_timeout: 3000
                routes: [{paths: ["/a"]}]
            """
        let service = try #require(try ConfigFixtures.load(valid).services.first)
        #expect(service.connectTimeoutMs == 1000)
        #expect(service.readTimeoutMs == 3000)
    }
}
