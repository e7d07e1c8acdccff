import Foundation
public import NIOCore
import SidebandProtocol

/// A loaded rules file: the decision engine of `ping-auth-proxy mock-pdp`.
///
/// Immutable and `Sendable`: the server shares one value between all connections and swaps it whole on
/// hot reload. Deciding a call allocates only what that call needs (nothing is decoded for a rule that
/// does not look at it) and never throws.
///
/// The rules language is documented in `Config/policies/README.md`.
public struct MockRules: Sendable {
    public let settings: MockSettings
    let requestRules: [RequestRule]
    let responseRules: [ResponseRule]
    /// Decides requests that no rule matched (named `default`).
    let requestDefault: RequestRule
    /// Decides responses that no rule matched (named `default`).
    let responseDefault: ResponseRule

    init(
        settings: MockSettings,
        requestRules: [RequestRule],
        responseRules: [ResponseRule],
        requestDefault: RequestRule,
        responseDefault: ResponseRule
    ) {
        self.settings = settings
        self.requestRules = requestRules
        self.responseRules = responseRules
        self.requestDefault = requestDefault
        self.responseDefault = responseDefault
    }

    /// Parses and validates a rules file. Every problem is reported at once with its key path
    /// (`request_rules[2].match.path`) and, where the YAML parser gives one, its line and column. Unknown
    /// keys are errors.
    ///
    /// - Parameter sourceName: the file's name in messages.
    public static func parse(_ text: String, sourceName: String) throws(MockRulesError) -> MockRules {
        try RulesParser.parse(text, sourceName: sourceName)
    }

    /// Reads and parses the file at `path`.
    public static func load(path: String) throws(MockRulesError) -> MockRules {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw MockRulesError(
                sourceName: path,
                problems: [MockRulesProblem(location: "", message: "cannot read the file: \(error)")]
            )
        }
        return try Self.parse(text, sourceName: path)
    }

    /// The request rules' names in order, then the response rules' names.
    public var ruleNames: [String] {
        self.requestRules.map(\.name) + self.responseRules.map(\.name)
    }

    /// Decides a `/sideband/request` call. `payload` is the raw request body.
    ///
    /// Never throws: a payload that is not a sideband request (not JSON, no `method` or `url`, headers not
    /// a list of objects) gets status 400 with a JSON message, like PingAuthorize.
    ///
    /// - Parameter sourceIP: the address the call came from; `source_ip:` matchers use it only when the
    ///   payload has no `source_ip`.
    public func answerRequest(_ payload: ByteBuffer, sourceIP: String? = nil) -> MockAnswer {
        let request: SidebandRequest
        do {
            let document = try JSONParser.parse(payload)
            request = try SidebandRequest(payload: document.root, fallbackSourceIP: sourceIP)
        } catch let error as PayloadError {
            return Self.badRequest(error.message)
        } catch {
            return Self.badRequest("the request payload is not valid JSON")
        }
        for rule in self.requestRules {
            var captures = Captures()
            if rule.matcher.matches(request, captures: &captures) {
                return self.decide(request, payload: payload, rule: rule, captures: captures)
            }
        }
        return self.decide(request, payload: payload, rule: self.requestDefault, captures: Captures())
    }

    /// Decides a `/sideband/response` call. The original request, which `request:` matchers and
    /// `{{request.*}}` templates read, comes from `state` or `request` as `settings.requestContextMethod`
    /// says; without either only its method and url (which every response payload carries) are known.
    public func answerResponse(_ payload: ByteBuffer) -> MockAnswer {
        let response: SidebandResponse
        do {
            let document = try JSONParser.parse(payload)
            response = try SidebandResponse(payload: document.root, contextMethod: self.settings.requestContextMethod)
        } catch let error as PayloadError {
            return Self.badRequest(error.message)
        } catch {
            return Self.badRequest("the response payload is not valid JSON")
        }
        for rule in self.responseRules {
            var captures = Captures()
            if rule.matcher.matches(response, captures: &captures) {
                return self.decide(response, rule: rule, captures: captures)
            }
        }
        return self.decide(response, rule: self.responseDefault, captures: Captures())
    }

    static func badRequest(_ message: String) -> MockAnswer {
        MockAnswer(
            status: 400,
            body: AnswerWriter.badRequest(message),
            ruleName: "",
            decision: "error",
            summary: message
        )
    }
}
