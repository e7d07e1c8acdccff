import Testing

@testable import MockPolicy

/// Problems in a rules file are all reported at once, each with its key path and its line and column.
@Suite struct RulesParseErrorTests {
    private func problems(_ yaml: String, environment: [String: String] = [:]) -> [MockRulesProblem] {
        do {
            _ = try RulesParser.parse(yaml, sourceName: "rules.yml", environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func everyProblemIsReportedWithItsLocationInFileOrder() throws {
        let problems = self.problems(
            """
            settings:
              latency_ms: -1
              colour: blue
            request_rules:
              - name: first
                match:
                  path: persons
                  metod: GET
                  headers: {x-a: {present: maybe}}
                allow:
                  set_headers: {X-Id: "{{captures.id}}"}
              - name: first
                deny: {status: 99}
            response_rules:
              - match: {status: 2xy}
            """
        )
        let described = problems.map { "\($0.line ?? 0):\($0.location): \($0.message)" }
        #expect(
            described == [
                "2:settings.latency_ms: expected an integer from 0 to 600000, got -1",
                "3:settings.colour: unknown field (expected one of: secret_header_name, shared_secrets, request_context_method, latency_ms, error_rate, error_status, decision_log_size)",
                "7:request_rules[0].match.path: a path starts with / (or ~ for a regular expression), got \"persons\"",
                "8:request_rules[0].match.metod: unknown field (expected one of: method, path, host, headers, query, body, source_ip, client_certificate, captures)",
                "9:request_rules[0].match.headers.x-a.present: expected true or false, got \"maybe\"",
                "11:request_rules[0].allow.set_headers.X-Id: {{captures.id}}: this rule captures no \"id\" (it captures nothing)",
                "12:request_rules[1].name: another rule of request_rules is already named \"first\"",
                "13:request_rules[1].deny.status: expected an integer from 100 to 599, got 99",
                "15:response_rules[0]: a rule needs an outcome: respond, deny or pass",
                "15:response_rules[0].match.status: expected a status such as 200, 2xx or 200-299, got \"2xy\"",
            ]
        )
    }

    @Test func theErrorDescriptionNamesTheFileLineAndColumn() throws {
        do {
            _ = try MockRules.parse("request_rules:\n  - deny: {status: 700}\n", sourceName: "rules.yml")
            Issue.record("expected an error")
        } catch {
            #expect(
                error.description
                    == "rules.yml:2:20: request_rules[0].deny.status: expected an integer from 100 to 599, got 700"
            )
            #expect(error.problems.first?.column == 20)
        }
    }

    @Test func invalidYAMLIsReportedAtItsPosition() throws {
        let problems = self.problems("request_rules:\n  - name: a\n    match: {path: /a\n")
        let problem = try #require(problems.first)
        #expect(problems.count == 1)
        #expect(problem.message.hasPrefix("invalid YAML"))
        #expect(problem.line != nil)
    }

    @Test func duplicateKeysAreErrors() throws {
        let problems = self.problems("request_rules: []\nrequest_rules: []\n")
        #expect(problems.first?.message.contains("request_rules") == true)
        #expect(problems.first?.line != nil)
    }

    @Test func anEmptyFileIsAnError() {
        #expect(self.problems("").first?.message.hasPrefix("the file is empty") == true)
        #expect(self.problems("# only a comment\n").count == 1)
    }

    @Test func patternsTemplatesAndAddressesAreValidatedAtLoad() {
        let problems = self.problems(
            #"""
            request_rules:
              - match:
                  path: "~^/a(?<id>"
                  host: "~["
                  source_ip: [10.0.0.0/33, not-an-ip]
                  body: {"$.a[x]": 1}
                  captures: {nope: x}
                allow:
                  path: "/{{request.nothing}}"
                  method: "{{request.method | shout}}"
                  set_headers: {"bad name": x, X-Ok: "{{response.status}}"}
            """#
        )
        let messages = problems.map(\.message)
        #expect(messages.contains { $0.hasPrefix("invalid regular expression \"^/a(?<id>\"") })
        #expect(messages.contains { $0.hasPrefix("invalid regular expression \"[\"") })
        #expect(messages.contains { $0.hasPrefix("\"10.0.0.0/33\" is not an IP address") })
        #expect(messages.contains { $0.hasPrefix("\"not-an-ip\" is not an IP address") })
        #expect(messages.contains { $0.hasPrefix("invalid JSON path \"$.a[x]\"") })
        #expect(messages.contains { $0.hasPrefix("no matcher of this rule captures \"nope\"") })
        #expect(messages.contains { $0.hasPrefix("unknown reference {{request.nothing}}") })
        #expect(messages.contains { $0.hasPrefix("unknown filter \"shout\"") })
        #expect(messages.contains { $0 == "\"bad name\" is not a valid header name" })
        #expect(messages.contains { $0 == "{{response.status}}: request rules have no response" })
        #expect(problems.count == 10)
    }

    @Test func outcomesAreCheckedForOneAndOnlyOne() {
        let problems = self.problems(
            """
            request_rules:
              - match: {path: /a}
              - allow:
                deny:
              - respond: {status: 200}
            response_rules:
              - respond:
              - pass: yes
            """
        )
        let described = problems.map { "\($0.location): \($0.message)" }
        #expect(described.contains("request_rules[0]: a rule needs an outcome: allow or deny"))
        #expect(described.contains("request_rules[1]: a rule has one outcome: allow or deny, not both"))
        #expect(described.contains { $0.hasPrefix("request_rules[2].respond: unknown field") })
        #expect(described.contains { $0.hasPrefix("response_rules[0].respond: respond needs changes") })
        #expect(described.contains("response_rules[1].pass: pass takes no value (write `pass:` alone)"))
    }

    @Test func defaultsTakeShortFormsOrRuleMappingsWithoutMatch() throws {
        let problems = self.problems(
            """
            default:
              request: maybe
              response: {pass: , match: {status: 200}}
              other: allow
            """
        )
        let described = problems.map { "\($0.location): \($0.message)" }
        #expect(described.contains { $0.hasPrefix("default.request: expected allow, deny or a mapping") })
        #expect(described.contains { $0.hasPrefix("default.response.match: unknown field") })
        #expect(described.contains { $0.hasPrefix("default.other: unknown field") })

        let rules = try MockRules.test("default:\n  request: {deny: {status: 401}, latency_ms: 5}\n")
        let answer = rules.answerRequest(ClientRequest().payload().payload)
        #expect(answer.ruleName == "default")
        #expect(answer.latencyMs == 5)
        #expect(answer.decision == "deny")
    }

    @Test func settingsHaveDefaultsAndResolveSecretsFromTheEnvironment() throws {
        let defaults = try MockRules.test("default: {request: allow}").settings
        #expect(defaults == MockSettings())
        #expect(defaults.secretHeaderName == "CLIENT-TOKEN")
        #expect(defaults.requestContextMethod == .state)
        #expect(defaults.errorStatus == 503)
        #expect(defaults.decisionLogSize == 100)

        let rules = try RulesParser.parse(
            """
            settings:
              secret_header_name: X-PA-Secret
              shared_secrets: [plain, "{env:PAZ_SECRET}", "{vault://env/OLD_SECRET}"]
              request_context_method: request
              latency_ms: 20
              error_rate: 0.25
              error_status: 502
              decision_log_size: 10
            """,
            sourceName: "rules.yml",
            environment: ["PAZ_SECRET": "new", "OLD_SECRET": "old"]
        )
        #expect(
            rules.settings
                == MockSettings(
                    secretHeaderName: "X-PA-Secret",
                    sharedSecrets: ["plain", "new", "old"],
                    requestContextMethod: .request,
                    latencyMs: 20,
                    errorRate: 0.25,
                    errorStatus: 502,
                    decisionLogSize: 10
                )
        )
        let missing = self.problems("settings: {shared_secrets: \"{env:NOT_SET}\", error_rate: 2}")
        #expect(
            missing.map(\.message) == [
                "environment variable NOT_SET is not set", "expected a number from 0.0 to 1.0, got 2",
            ]
        )
    }

    @Test func ruleNamesListBothPhasesInOrder() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - {name: a, allow: }
              - allow:
            response_rules:
              - {name: c, pass: }
            """
        )
        #expect(rules.ruleNames == ["a", "request_rules[1]", "c"])
    }

    @Test func loadReportsAnUnreadableFile() {
        do {
            _ = try MockRules.load(path: "/nonexistent/rules.yml")
            Issue.record("expected an error")
        } catch {
            #expect(error.sourceName == "/nonexistent/rules.yml")
            #expect(error.problems.first?.message.hasPrefix("cannot read the file") == true)
        }
    }
}
