import Testing

@testable import GatewayConfig

@Suite struct VaultReferenceTests {
    static func yaml(secret: String) -> String {
        """
        _format_version: "3.0"
        plugins:
          - name: ping-auth
            config:
              service_url: https://pingauthorize:8443
              shared_secret: "\(secret)"
              secret_header_name: CLIENT-TOKEN
        """
    }

    @Test func referenceIsResolvedFromTheVariableOfThatExactName() throws {
        let config = try ConfigFixtures.load(
            Self.yaml(secret: "{vault://env/paz-secret}"),
            environment: ["paz-secret": "exact"]
        )
        #expect(config.plugins.first?.pingAuth.sharedSecret == "exact")
    }

    @Test func referenceFallsBackToKongsUpperCaseUnderscoreConvention() throws {
        let config = try ConfigFixtures.load(
            Self.yaml(secret: "{vault://env/paz-secret}"),
            environment: ["PAZ_SECRET": "konged"]
        )
        #expect(config.plugins.first?.pingAuth.sharedSecret == "konged")
    }

    @Test func missingVariableIsReportedWithTheReferenceAndBothNames() {
        let problems = ConfigFixtures.problems(Self.yaml(secret: "{vault://env/paz-secret}"), environment: [:])
        #expect(
            problems == [
                ConfigurationProblem(
                    path: "plugins[0].config.shared_secret",
                    message:
                        "vault reference {vault://env/paz-secret}: environment variable paz-secret (or PAZ_SECRET) is not set"
                )
            ]
        )
    }

    @Test func missingUpperCaseVariableIsReportedWithItsName() {
        let problems = ConfigFixtures.problems(Self.yaml(secret: "{vault://env/PAZ_SHARED_SECRET}"), environment: [:])
        #expect(
            problems.map(\.message) == [
                "vault reference {vault://env/PAZ_SHARED_SECRET}: environment variable PAZ_SHARED_SECRET is not set"
            ]
        )
    }

    @Test func otherVaultsAreRefused() {
        let problems = ConfigFixtures.problems(Self.yaml(secret: "{vault://aws/paz/secret}"))
        #expect(
            ConfigFixtures.has(problems, path: "plugins[0].config.shared_secret", "only the env vault is supported")
        )
    }

    @Test func anyStringOfThePluginConfigMayBeAReference() throws {
        let yaml = """
            _format_version: "3.0"
            plugins:
              - name: ping-auth
                config:
                  service_url: "{vault://env/PAZ_URL}"
                  shared_secret: "{vault://env/PAZ_SHARED_SECRET}"
                  secret_header_name: CLIENT-TOKEN
            """
        let environment = ["PAZ_URL": "https://paz.example:9443", "PAZ_SHARED_SECRET": "x"]
        let config = try ConfigFixtures.load(yaml, environment: environment)
        #expect(config.plugins.first?.pingAuth.serviceURL == "https://paz.example:9443")
    }

    @Test func ordinaryStringsAreLeftAlone() {
        #expect(VaultReference.resolve("{vault:/env/X}", environment: ["X": "y"]) == nil)
        #expect(VaultReference.resolve("plain", environment: [:]) == nil)
        let resolved = VaultReference.resolve("{vault://env/X}", environment: ["X": "y"])
        #expect((try? resolved?.get()) == "y")
    }
}
