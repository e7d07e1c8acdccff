import Foundation
import Yams

/// Turns a Kong declarative configuration file (plus our `proxy:` section) into a `GatewayConfiguration`,
/// or into every problem it has.
///
/// The whole file is checked before anything is reported, so one run of `check-config` lists all mistakes.
/// Nothing is half-loaded: either the result is valid throughout, or `ConfigurationError` is thrown.
public enum ConfigurationLoader {
    /// The process's environment variables: the default for vault references (`{vault://env/NAME}`).
    /// A property rather than `ProcessInfo` in the default argument so that Foundation stays an internal
    /// import of this module.
    public static var processEnvironment: [String: String] { ProcessInfo.processInfo.environment }

    /// Reads and validates a file (YAML or JSON; JSON is YAML, so one parser does both). Relative paths in
    /// the file (`proxy.tls`, `ca_bundle`) are resolved against the file's directory; `digest` is computed
    /// over the file's bytes.
    public static func load(
        path: String,
        environment: [String: String] = ConfigurationLoader.processEnvironment
    ) throws(ConfigurationError) -> GatewayConfiguration {
        let bytes: [UInt8]
        switch FileSystem.read(path) {
        case .success(let read): bytes = read
        case .failure(let failure): throw ConfigurationError(problems: [.init(path: "", message: failure.message)])
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigurationError(problems: [.init(path: "", message: "the file is not valid UTF-8")])
        }
        return try parse(
            text,
            digest: Digest.fnv1a64Hex(bytes),
            baseDirectory: FileSystem.directory(of: path),
            environment: environment
        )
    }

    /// Same as `load`, from text; `baseDirectory` resolves relative file paths in `proxy.tls` and
    /// `ca_bundle`. `digest` is computed over the text's UTF-8 bytes.
    public static func parse(
        _ text: String,
        baseDirectory: String = ".",
        environment: [String: String]
    ) throws(ConfigurationError) -> GatewayConfiguration {
        try parse(text, digest: Digest.fnv1a64Hex(text.utf8), baseDirectory: baseDirectory, environment: environment)
    }

    private static func parse(
        _ text: String,
        digest: String,
        baseDirectory: String,
        environment: [String: String]
    ) throws(ConfigurationError) -> GatewayConfiguration {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .default, .default, .utf8)
        } catch {
            throw ConfigurationError(problems: [.init(path: "", message: yamlMessage(error))])
        }
        guard let root else {
            throw ConfigurationError(problems: [
                .init(path: "", message: "the file is empty (expected _format_version, services, ...)")
            ])
        }
        let context = LoadContext(environment: environment, baseDirectory: baseDirectory)
        let document = DocumentReader(context: context)
        let configuration = document.read(root)
        guard !context.hasProblems, var configuration else {
            throw ConfigurationError(problems: context.problems)
        }
        configuration.digest = digest
        return configuration
    }

    /// Yams' error as one line: where, and what the parser found (without the source snippet).
    private static func yamlMessage(_ error: any Error) -> String {
        guard let yamlError = error as? YamlError else { return "invalid YAML: \(error)" }
        func at(_ mark: Mark) -> String { "invalid YAML at line \(mark.line), column \(mark.column)" }
        func detail(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return "\(at(mark)): \(detail(problem, context))"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "\(at(context.mark)): duplicate key \(keys)"
        case .reader(let problem, _, _, _):
            return "invalid YAML: \(problem)"
        default:
            return "invalid YAML: \(yamlError)"
        }
    }
}
