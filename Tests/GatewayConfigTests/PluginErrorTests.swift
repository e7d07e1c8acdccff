import Testing

@testable import GatewayConfig

/// One test per kind of mistake in plugins and in the `ping-auth` configuration.
@Suite struct PluginErrorTests {
    /// A global `ping-auth` plugin whose `config` has the required fields plus `extra` lines.
    static func pingAuth(_ extra: String = "", serviceURL: String = "https://pingauthorize:8443") -> String {
        let extraLines = extra.isEmpty ? "" : "\n      " + extra.split(separator: "\n").joined(separator: "\n      ")
        return """
            _format_version: "3.0"
            plugins:
              - name: ping-auth
                config:
                  service_url: \(serviceURL)
                  shared_secret: "{vault://env/PAZ_SHARED_SECRET}"
                  secret_header_name: CLIENT-TOKEN\(extraLines)
            """
    }

    @Test func baselineLoads() throws {
        #expect(try ConfigFixtures.load(Self.pingAuth()).plugins.count == 1)
    }

    @Test func unknownPluginIsNamed() {
        expectProblem(
            "_format_version: \"3.0\"\nplugins:\n  - name: rate-limiting\n    config: {minute: 5}\n",
            at: "plugins[0].name",
            "plugin 'rate-limiting' is not supported (only ping-auth)"
        )
    }

    @Test func serviceURLSchemeMustBeHttpOrHttps() {
        let problems = ConfigFixtures.problems(Self.pingAuth(serviceURL: "ftp://pingauthorize"))
        #expect(problems.map(\.description) == ["plugins[0].config.service_url: scheme must be http or https"])
    }

    @Test func serviceURLHostMustNotBeBlank() {
        expectProblem(
            Self.pingAuth(serviceURL: "\"https://:8443\""),
            at: "plugins[0].config.service_url",
            "host must not be blank"
        )
    }

    @Test func serviceURLMustNotIncludeTheSidebandPath() {
        expectProblem(
            Self.pingAuth(serviceURL: "https://paz:8443/sideband"),
            at: "plugins[0].config.service_url",
            "must not include /sideband"
        )
    }

    @Test func requiredFieldsAreEachReported() {
        let yaml = "_format_version: \"3.0\"\nplugins:\n  - name: ping-auth\n    config: {enable_debug_logging: true}\n"
        let problems = ConfigFixtures.problems(yaml)
        #expect(
            problems.map(\.description) == [
                "plugins[0].config.service_url: required field missing",
                "plugins[0].config.shared_secret: required field missing",
                "plugins[0].config.secret_header_name: required field missing",
            ]
        )
    }

    @Test func missingConfigIsReported() {
        expectProblem(
            "_format_version: \"3.0\"\nplugins:\n  - name: ping-auth\n",
            at: "plugins[0].config",
            "required field missing"
        )
    }

    @Test func unknownConfigFieldIsNamed() {
        expectProblem(
            Self.pingAuth("connection_keepalive_ms: 100"),
            at: "plugins[0].config.connection_keepalive_ms",
            "unknown field"
        )
    }

    @Test func timeoutsMustBePositive() {
        expectProblem(
            Self.pingAuth("connection_timeout_ms: 0"),
            at: "plugins[0].config.connection_timeout_ms",
            "must be at least 1, got 0"
        )
        expectProblem(
            Self.pingAuth("connection_keepAlive_ms: -5"),
            at: "plugins[0].config.connection_keepAlive_ms",
            "must be at least 1, got -5"
        )
    }

    @Test func passthroughCodesMustBeHttpStatuses() {
        expectProblem(
            Self.pingAuth("passthrough_status_codes: [413, 600]"),
            at: "plugins[0].config.passthrough_status_codes[1]",
            "must be between 100 and 599, got 600"
        )
    }

    @Test func secretHeaderNameMustBeAHeaderName() {
        let yaml = Self.pingAuth().replacingSuffix("CLIENT-TOKEN", with: "\"CLIENT TOKEN\"")
        expectProblem(yaml, at: "plugins[0].config.secret_header_name", "'CLIENT TOKEN' is not a valid header name")
    }

    @Test func caBundleMustExist() {
        expectProblem(
            Self.pingAuth("ca_bundle: certs/missing-ca.pem"),
            at: "plugins[0].config.ca_bundle",
            "file not found: /certs/missing-ca.pem"
        )
    }

    @Test func twoInstancesOnTheSameScopeAreRefused() {
        let yaml = """
            _format_version: "3.0"
            services:
              - name: s
                host: a
                routes: [{paths: ["/"]}]
                plugins:
            \(ConfigFixtures.pingAuthPlugin(indent: 6))
            plugins:
            \(ConfigFixtures.pingAuthPlugin(indent: 2, extra: "service: s"))
            """
        expectProblem(
            yaml,
            at: "plugins[0]",
            "duplicate 'ping-auth' plugin for services[0] (first at services[0].plugins[0])"
        )
    }

    @Test func twoGlobalInstancesAreRefused() {
        let yaml = """
            _format_version: "3.0"
            plugins:
            \(ConfigFixtures.pingAuthPlugin(indent: 2))
            \(ConfigFixtures.pingAuthPlugin(indent: 2))
            """
        expectProblem(yaml, at: "plugins[1]", "duplicate global 'ping-auth' plugin (first at plugins[0])")
    }

    @Test func consumersAreNotSupported() {
        expectProblem(
            "_format_version: \"3.0\"\nplugins:\n" + ConfigFixtures.pingAuthPlugin(indent: 2, extra: "consumer: alice"),
            at: "plugins[0].consumer",
            "consumer is not supported by ping-auth-proxy"
        )
    }

    @Test func serviceAndRouteTogetherAreNotSupported() {
        let yaml = """
            _format_version: "3.0"
            services: [{name: s, host: a, routes: [{name: r, paths: ["/"]}]}]
            plugins:
            \(ConfigFixtures.pingAuthPlugin(indent: 2, extra: "service: s\nroute: r"))
            """
        expectProblem(yaml, at: "plugins[0].route", "setting both 'service' and 'route' is not supported")
    }

    @Test func pluginReferencesMustResolve() {
        let yaml =
            "_format_version: \"3.0\"\nplugins:\n"
            + ConfigFixtures.pingAuthPlugin(indent: 2, extra: "route: {name: nowhere}")
        expectProblem(yaml, at: "plugins[0].route", "route 'nowhere' not found")
    }

    @Test func instanceNamesMustBeUnique() {
        let yaml = """
            _format_version: "3.0"
            services: [{name: s, host: a, routes: [{paths: ["/"]}]}]
            plugins:
            \(ConfigFixtures.pingAuthPlugin(indent: 2, extra: "instance_name: paz"))
            \(ConfigFixtures.pingAuthPlugin(indent: 2, extra: "instance_name: paz\nservice: s"))
            """
        expectProblem(yaml, at: "plugins[1].instance_name", "duplicate instance_name 'paz' (first at plugins[0])")
    }
}

extension String {
    /// Replaces the last occurrence of `old`.
    fileprivate func replacingSuffix(_ old: String, with new: String) -> String {
        guard let range = ranges(of: old).last else { return self }
        return self[..<range.lowerBound] + new + self[range.upperBound...]
    }
}
