import Foundation
import SidebandProtocol
import Yams

/// Reads a rules file into `MockRules`: the document's sections, the settings and the rule lists. Every
/// problem is collected (with its key path and line) before the parse fails, so one `--check` run shows
/// them all.
struct RulesParser {
    let sink = ProblemSink()
    /// Looked up for `{env:NAME}` and `{vault://env/NAME}` secrets.
    let environment: [String: String]

    static let topLevelKeys = ["settings", "request_rules", "response_rules", "default"]

    static func parse(
        _ text: String,
        sourceName: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(MockRulesError) -> MockRules {
        let parser = RulesParser(environment: environment)
        if let rules = parser.parseDocument(text), parser.sink.isEmpty { return rules }
        throw MockRulesError(sourceName: sourceName, problems: parser.sink.problems)
    }

    private func parseDocument(_ text: String) -> MockRules? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            self.sink.report(Self.yamlProblem(error))
            return nil
        }
        guard let root else {
            self.sink.report("the file is empty (write at least `default: {request: allow}`)", at: "", node: nil)
            return nil
        }
        guard let top = RuleReader(root, path: "", sink: self.sink) else { return nil }

        let settings = top.mapping("settings").map(self.parseSettings) ?? MockSettings()
        let requestRules = self.list(top, "request_rules").compactMap {
            self.parseRequestRule($0.node, path: $0.path, defaultName: $0.path, isDefault: false)
        }
        let responseRules = self.list(top, "response_rules").compactMap {
            self.parseResponseRule($0.node, path: $0.path, defaultName: $0.path, isDefault: false)
        }
        var requestDefault = RequestRule(name: "default", matcher: RequestMatcher(), outcome: .allow(AllowChanges()))
        var responseDefault = ResponseRule(name: "default", matcher: ResponseMatcher(), outcome: .pass)
        if let defaults = top.mapping("default") {
            if let node = defaults.value("request") {
                requestDefault =
                    self.parseRequestRule(node, path: defaults.path("request"), defaultName: "default", isDefault: true)
                    ?? requestDefault
            }
            if let node = defaults.value("response") {
                responseDefault =
                    self.parseResponseRule(
                        node,
                        path: defaults.path("response"),
                        defaultName: "default",
                        isDefault: true
                    )
                    ?? responseDefault
            }
            defaults.finish(expected: ["request", "response"])
        }
        top.finish(expected: Self.topLevelKeys)
        self.checkNames(top, key: "request_rules")
        self.checkNames(top, key: "response_rules")
        return MockRules(
            settings: settings,
            requestRules: requestRules,
            responseRules: responseRules,
            requestDefault: requestDefault,
            responseDefault: responseDefault
        )
    }

    /// The elements of a rule list with their paths; a value that is not a list is reported.
    private func list(_ reader: RuleReader, _ key: String) -> [(node: Node, path: String)] {
        guard let node = reader.value(key) else { return [] }
        guard case .sequence(let sequence) = node else {
            self.sink.report("expected a list of rules (each starting with -)", at: key, node: node)
            return []
        }
        return sequence.enumerated().map { ($0.element, "\(key)[\($0.offset)]") }
    }

    /// Names identify rules in the decision log: they must be unique within a phase, and `default` is the
    /// defaults' name.
    private func checkNames(_ top: RuleReader, key: String) {
        guard case .sequence(let rules)? = top.value(key) else { return }
        var seen: Set<String> = []
        for (index, rule) in rules.enumerated() {
            guard let node = rule["name"], node.isStringScalar || node.int != nil, let name = node.string else {
                continue
            }
            if name == "default" {
                self.sink.report(
                    "the name \"default\" is reserved for the defaults",
                    at: "\(key)[\(index)].name",
                    node: node
                )
            } else if !seen.insert(name).inserted {
                self.sink.report(
                    "another rule of \(key) is already named \"\(name)\"",
                    at: "\(key)[\(index)].name",
                    node: node
                )
            }
        }
    }

    // MARK: - Settings

    private func parseSettings(_ reader: RuleReader) -> MockSettings {
        var settings = MockSettings()
        if let name = reader.string("secret_header_name") {
            if HTTPSyntax.isToken(name) {
                settings.secretHeaderName = name
            } else {
                reader.report("\"\(name)\" is not a valid header name", key: "secret_header_name")
            }
        }
        if reader.contains("shared_secrets") {
            settings.sharedSecrets = reader.oneOrMany("shared_secrets").compactMap { element in
                guard let text = RuleReader.string(element.node, at: element.path, sink: self.sink) else { return nil }
                guard let secret = self.resolveSecret(text, at: element.path, node: element.node) else { return nil }
                if secret.isEmpty { self.sink.report("a secret cannot be empty", at: element.path, node: element.node) }
                return secret
            }
        }
        if let method = reader.string("request_context_method") {
            if let value = MockSettings.ContextMethod(rawValue: method) {
                settings.requestContextMethod = value
            } else {
                reader.report("expected state, request or none, got \"\(method)\"", key: "request_context_method")
            }
        }
        settings.latencyMs = reader.int("latency_ms", range: 0...600_000) ?? settings.latencyMs
        settings.errorRate = reader.double("error_rate", range: 0...1) ?? settings.errorRate
        settings.errorStatus = reader.int("error_status", range: 100...599) ?? settings.errorStatus
        settings.decisionLogSize = reader.int("decision_log_size", range: 0...1_000_000) ?? settings.decisionLogSize
        reader.finish(expected: [
            "secret_header_name", "shared_secrets", "request_context_method", "latency_ms", "error_rate",
            "error_status", "decision_log_size",
        ])
        return settings
    }

    /// `{env:NAME}` or `{vault://env/NAME}` → the variable's value; other text as written.
    private func resolveSecret(_ text: String, at path: String, node: Node) -> String? {
        let name: Substring
        if text.hasPrefix("{env:") && text.hasSuffix("}") {
            name = text.dropFirst(5).dropLast()
        } else if text.hasPrefix("{vault://env/") && text.hasSuffix("}") {
            name = text.dropFirst(13).dropLast()
        } else {
            return text
        }
        guard let value = self.environment[String(name)] else {
            self.sink.report("environment variable \(name) is not set", at: path, node: node)
            return nil
        }
        return value
    }

    // MARK: - YAML errors

    /// A problem for a file Yams cannot read, placed at the line and column it reports.
    static func yamlProblem(_ error: any Error) -> MockRulesProblem {
        guard let yamlError = error as? YamlError else {
            return MockRulesProblem(location: "", message: "invalid YAML: \(error)")
        }
        switch yamlError {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let message = context.map { "invalid YAML: \(problem) (\($0.text))" } ?? "invalid YAML: \(problem)"
            return MockRulesProblem(location: "", message: message, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return MockRulesProblem(
                location: "",
                message: "a key appears twice in one mapping: \(duplicates.joined(separator: ", "))",
                line: context.mark.line,
                column: context.mark.column
            )
        default:
            return MockRulesProblem(location: "", message: "invalid YAML: \(yamlError)")
        }
    }
}
