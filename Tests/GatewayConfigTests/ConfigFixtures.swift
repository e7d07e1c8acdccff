import Testing

@testable import GatewayConfig

/// Shared helpers: load YAML text, or collect the problems of text that must not load.
enum ConfigFixtures {
    static let secret = "s3cr3t-Value-42"
    static let environment = ["PAZ_SHARED_SECRET": secret]

    /// A valid `ping-auth` plugin entry, indented to sit in a `plugins:` list at `indent` spaces.
    static func pingAuthPlugin(indent: Int, extra: String = "") -> String {
        let pad = String(repeating: " ", count: indent)
        var lines = [
            "- name: ping-auth",
            "  config:",
            "    service_url: https://pingauthorize:8443",
            "    shared_secret: \"{vault://env/PAZ_SHARED_SECRET}\"",
            "    secret_header_name: CLIENT-TOKEN",
        ]
        if !extra.isEmpty { lines.insert(contentsOf: extra.split(separator: "\n").map { "  " + $0 }, at: 1) }
        return lines.map { pad + $0 }.joined(separator: "\n")
    }

    static func load(
        _ yaml: String,
        environment: [String: String] = environment,
        baseDirectory: String = "/"
    ) throws(ConfigurationError) -> GatewayConfiguration {
        try ConfigurationLoader.parse(yaml, baseDirectory: baseDirectory, environment: environment)
    }

    /// The problems of `yaml`; `[]` when it unexpectedly loads.
    static func problems(
        _ yaml: String,
        environment: [String: String] = environment,
        baseDirectory: String = "/"
    ) -> [ConfigurationProblem] {
        do {
            _ = try load(yaml, environment: environment, baseDirectory: baseDirectory)
            return []
        } catch {
            return error.problems
        }
    }

    /// Whether one problem has exactly `path` and a message containing `fragment`.
    static func has(_ problems: [ConfigurationProblem], path: String, _ fragment: String) -> Bool {
        problems.contains { $0.path == path && $0.message.contains(fragment) }
    }
}

/// `ConfigFixtures.has`, with the problems shown when the expectation fails.
func expectProblem(
    _ yaml: String,
    at path: String,
    _ fragment: String,
    environment: [String: String] = ConfigFixtures.environment,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let problems = ConfigFixtures.problems(yaml, environment: environment)
    #expect(
        ConfigFixtures.has(problems, path: path, fragment),
        "problems were: \(problems.map(\.description))",
        sourceLocation: sourceLocation
    )
}
