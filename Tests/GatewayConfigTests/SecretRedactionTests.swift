import Testing

@testable import GatewayConfig

@Suite struct SecretRedactionTests {
    static let secret = ConfigFixtures.secret

    @Test func pingAuthConfigDescriptionsNeverShowTheSecret() {
        let config = PingAuthConfig(
            serviceURL: "https://paz:8443",
            sharedSecret: Self.secret,
            secretHeaderName: "CLIENT-TOKEN"
        )
        #expect(config.description.contains("shared_secret: [REDACTED]"))
        #expect(config.description.contains("service_url: \"https://paz:8443\""))
        #expect(!config.description.contains(Self.secret))
        #expect(!config.debugDescription.contains(Self.secret))
        #expect(!String(reflecting: config).contains(Self.secret))
        var dumped = ""
        dump(config, to: &dumped)
        #expect(!dumped.contains(Self.secret))
    }

    @Test func enclosingValuesDoNotShowTheSecretEither() throws {
        let loaded = try ConfigFixtures.load(ExampleConfigurationTests.productExample)
        #expect(loaded.plugins.first?.pingAuth.sharedSecret == Self.secret)
        #expect(!String(describing: loaded).contains(Self.secret))
        #expect(!String(describing: loaded.plugins).contains(Self.secret))
        var dumped = ""
        dump(loaded, to: &dumped)
        #expect(!dumped.contains(Self.secret))
        #expect(dumped.contains("[REDACTED]"))
    }

    @Test func errorsAboutTheSecretDoNotShowIt() {
        let badSecret = "line-one\nline-two-\(Self.secret)"
        let yaml = """
            _format_version: "3.0"
            plugins:
              - name: ping-auth
                config:
                  service_url: ftp://pingauthorize
                  shared_secret: "{vault://env/PAZ_SHARED_SECRET}"
                  secret_header_name: CLIENT-TOKEN
            """
        let problems = ConfigFixtures.problems(yaml, environment: ["PAZ_SHARED_SECRET": badSecret])
        #expect(
            ConfigFixtures.has(problems, path: "plugins[0].config.shared_secret", "must not contain control characters")
        )
        #expect(ConfigFixtures.has(problems, path: "plugins[0].config.service_url", "scheme must be http or https"))
        let description = ConfigurationError(problems: problems).description
        #expect(!description.contains(Self.secret))
        #expect(!description.contains("line-one"))
    }

    @Test func aSecretOfTheWrongTypeIsNotEchoed() {
        let yaml = """
            _format_version: "3.0"
            plugins:
              - name: ping-auth
                config:
                  service_url: https://pingauthorize
                  shared_secret: 918273645
                  secret_header_name: CLIENT-TOKEN
            """
        let problems = ConfigFixtures.problems(yaml)
        #expect(
            problems == [ConfigurationProblem(path: "plugins[0].config.shared_secret", message: "expected a string")]
        )
    }
}
