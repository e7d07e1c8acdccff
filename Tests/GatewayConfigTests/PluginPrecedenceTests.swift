import Testing

@testable import GatewayConfig

@Suite struct PluginPrecedenceTests {
    static let yaml = """
        _format_version: "3.0"
        services:
          - name: a
            host: a.internal
            routes:
              - name: a1
                paths: ["/a1"]
                plugins:
                  - name: ping-auth
                    instance_name: route-a1
                    config: {service_url: "http://paz:1", shared_secret: s, secret_header_name: T}
              - name: a2
                paths: ["/a2"]
                plugins:
                  - name: ping-auth
                    instance_name: route-a2-off
                    enabled: false
                    config: {service_url: "http://paz:1", shared_secret: s, secret_header_name: T}
            plugins:
              - name: ping-auth
                instance_name: service-a
                config: {service_url: "http://paz:1", shared_secret: s, secret_header_name: T}
          - name: b
            host: b.internal
            routes:
              - name: b1
                paths: ["/b1"]
        routes:
          - name: loose
            paths: ["/loose"]
        plugins:
          - name: ping-auth
            instance_name: global
            config: {service_url: "http://paz:1", shared_secret: s, secret_header_name: T}
          - name: ping-auth
            instance_name: service-b-off
            service: b
            enabled: false
            config: {service_url: "http://paz:1", shared_secret: s, secret_header_name: T}
        """

    func effective(_ config: GatewayConfiguration, _ routeName: String) throws -> String? {
        let index = try #require(config.routes.firstIndex { $0.name == routeName })
        return config.effectivePlugin(named: "ping-auth", forRoute: index)?.instanceName
    }

    @Test func routeInstanceWinsOverServiceAndGlobal() throws {
        let config = try ConfigFixtures.load(Self.yaml)
        #expect(try effective(config, "a1") == "route-a1")
    }

    @Test func disabledRouteInstanceFallsBackToTheServiceInstance() throws {
        let config = try ConfigFixtures.load(Self.yaml)
        #expect(try effective(config, "a2") == "service-a")
    }

    @Test func disabledServiceInstanceFallsBackToTheGlobalInstance() throws {
        let config = try ConfigFixtures.load(Self.yaml)
        #expect(try effective(config, "b1") == "global")
    }

    @Test func routeWithoutServiceGetsTheGlobalInstance() throws {
        let config = try ConfigFixtures.load(Self.yaml)
        #expect(try effective(config, "loose") == "global")
    }

    @Test func everyInstanceIsKeptWithItsScopeIncludingDisabledOnes() throws {
        let config = try ConfigFixtures.load(Self.yaml)
        let scopes = Dictionary(uniqueKeysWithValues: config.plugins.map { ($0.instanceName ?? "", $0.scope) })
        let a1 = try #require(config.routes.firstIndex { $0.name == "a1" })
        #expect(scopes["route-a1"] == .route(a1))
        #expect(scopes["service-a"] == .service(0))
        #expect(scopes["service-b-off"] == .service(1))
        #expect(scopes["global"] == .global)
        #expect(config.plugins.count == 5)
        #expect(config.plugins.filter { !$0.enabled }.count == 2)
    }

    @Test func otherPluginNamesAndOutOfRangeRoutesHaveNoInstance() throws {
        let config = try ConfigFixtures.load(Self.yaml)
        #expect(config.effectivePlugin(named: "rate-limiting", forRoute: 0) == nil)
        #expect(config.effectivePlugin(named: "ping-auth", forRoute: 99) == nil)
        #expect(config.effectivePlugin(named: "ping-auth", forRoute: -1) == nil)
    }
}
