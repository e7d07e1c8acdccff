import Testing

@testable import GatewayConfig

@Suite struct ServicesAndRoutesTests {
    @Test func topLevelRoutesReferenceServicesByNameMappingOrIdAndKeepFileOrder() throws {
        let yaml = """
            _format_version: "3.0"
            routes:
              - name: first
                service: users
                paths: ["/users"]
              - name: by-name
                service: {name: orders}
                paths: ["/orders"]
              - name: by-id
                service: {id: 6f1c1a2e-6a49-4a7b-9d7e-6b3c1f0f2a11}
                paths: ["/by-id"]
              - name: orphan
                service: null
                paths: ["/orphan"]
            services:
              - name: orders
                id: 6f1c1a2e-6a49-4a7b-9d7e-6b3c1f0f2a11
                url: https://orders.internal:8443/v1
                routes:
                  - name: nested
                    methods: [get, Post]
                    hosts: [API.Example.com, "*.example.org"]
                    headers: {X-Version: ["2"]}
                    protocols: [https]
                    snis: [API.Example.com]
                    https_redirect_status_code: 308
              - name: users
                host: users.internal
                port: 8080
            plugins:
              - name: ping-auth
                route: by-id
                config:
                  service_url: https://pingauthorize:8443
                  shared_secret: x
                  secret_header_name: CLIENT-TOKEN
            """
        let config = try ConfigFixtures.load(yaml)
        // File order: the top-level `routes:` section comes before `services:` in this file.
        #expect(config.routes.map(\.name) == ["first", "by-name", "by-id", "orphan", "nested"])
        #expect(config.routes.map(\.serviceIndex) == [1, 0, 0, nil, 0])
        #expect(
            config.routes.map(\.location) == [
                "routes[0]", "routes[1]", "routes[2]", "routes[3]", "services[0].routes[0]",
            ]
        )

        let nested = config.routes[4]
        #expect(nested.methods == ["GET", "POST"])
        #expect(nested.hosts == ["api.example.com", "*.example.org"])
        #expect(nested.headers == ["x-version": ["2"]])
        #expect(nested.protocols == ["https"])
        #expect(nested.snis == ["api.example.com"])
        #expect(nested.httpsRedirectStatusCode == 308)

        let orders = config.services[0]
        #expect(orders.scheme == .https && orders.host == "orders.internal" && orders.port == 8443)
        #expect(orders.path == "/v1")
        let users = config.services[1]
        #expect(users.scheme == .http && users.port == 8080 && users.path == nil)

        // The plugin points at `by-id`, which is routes[2] once routes are in file order.
        #expect(config.plugins.first?.scope == .route(2))
        #expect(config.effectivePlugin(named: "ping-auth", forRoute: 2) != nil)
        #expect(config.effectivePlugin(named: "ping-auth", forRoute: 1) == nil)
    }

    @Test func serviceFieldsAndKongBoundsAreApplied() throws {
        let yaml = """
            _format_version: "3.0"
            services:
              - name: tuned
                protocol: https
                host: "::1"
                connect_timeout: 1
                read_timeout: 2147483646
                write_timeout: 5000
                retries: 32767
                tls_verify: true
                tls_verify_depth: 3
                enabled: false
                tags: [a, b]
                routes: [{paths: ["/"]}]
            """
        let service = try #require(try ConfigFixtures.load(yaml).services.first)
        #expect(service.scheme == .https)
        #expect(service.host == "::1")
        #expect(service.port == 443)
        #expect(service.connectTimeoutMs == 1)
        #expect(service.readTimeoutMs == 2_147_483_646)
        #expect(service.writeTimeoutMs == 5000)
        #expect(service.retries == 32767)
        #expect(service.tlsVerify)
        #expect(service.enabled == false)
    }

    @Test func urlWithIPv6HostAndNoPathIsSplit() throws {
        let yaml = """
            _format_version: "3.0"
            services:
              - url: http://[::1]:9000
                routes: [{hosts: [example.com]}]
            """
        let service = try #require(try ConfigFixtures.load(yaml).services.first)
        #expect(service.host == "::1")
        #expect(service.port == 9000)
        #expect(service.path == nil)
        #expect(service.name == nil)
    }
}
