import Foundation
import SidebandProtocol
import Testing

@testable import MockPolicy

/// The policies shipped in Config/policies load and do what their comments (and the conformance kit's
/// scenarios) say.
@Suite struct ExamplePolicyTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config/policies").path

    private func policy(_ name: String) throws -> MockRules {
        try MockRules.load(path: "\(Self.directory)/\(name).yml")
    }

    /// The kit's test token for user 7d9fc465-ec1a-460c-ab38-435471f4918b.
    static let kitToken = #"Bearer {"active":true,"sub":"7d9fc465-ec1a-460c-ab38-435471f4918b"}"#

    @Test func everyPolicyFileLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".yml") }
        #expect(files.count == 7)
        for file in files {
            #expect(throws: Never.self, "\(file)") { try MockRules.load(path: "\(Self.directory)/\(file)") }
        }
    }

    @Test func defaultDeniesAdminModifiesHelloAndAllowsTheRest() throws {
        let rules = try self.policy("default")
        #expect(rules.settings.sharedSecrets.isEmpty)
        let admin = try rules.requestPhase(ClientRequest("GET", "/demo/admin/users")).denied()
        #expect(admin.status == 403)
        #expect(try rules.requestPhase(ClientRequest("GET", "/demo/admin")).denied().status == 403)

        let hello = try rules.requestPhase(ClientRequest("GET", "/demo/hello"))
        #expect(hello.answer.decision == "modify")
        #expect(try hello.changes().setValues("x-policy") == ["modified"])

        let other = try rules.requestPhase(ClientRequest("GET", "/demo/other"))
        #expect(other.answer.decision == "allow")
        #expect(try other.changes().isEmpty)
        #expect(try rules.responsePhase(UpstreamResponse(body: "hi"), after: other).answer.decision == "pass")
    }

    @Test func authorizationToUserReplacesTheTokenAndDropsTheAppID() throws {
        let rules = try self.policy("authorization-to-user")
        let request = ClientRequest("GET", "/homes").header("authorization", Self.kitToken).header("x-app-id", "app-1")
        let phase = try rules.requestPhase(request)
        let changes = try phase.changes()
        #expect(changes.setValues("sh-user") == ["7d9fc465-ec1a-460c-ab38-435471f4918b"])
        #expect(changes.removeHeaders.sorted() == ["authorization", "x-app-id"])
        #expect(try phase.allowed().headers?.contains { $0.name == "SH-USER" } == true)

        let anonymous = try rules.requestPhase(ClientRequest("GET", "/homes").header("x-app-id", "app-1"))
        #expect(try anonymous.changes().isEmpty)
    }

    @Test func removePoweredByHidesTheHeaderOnly() throws {
        let rules = try self.policy("remove-powered-by")
        let response = UpstreamResponse(
            body: "[]",
            headers: [("content-type", "application/json"), ("x-powered-by", "SmartHub Server Supreme")]
        )
        let (answer, decision) = try rules.roundTrip(ClientRequest("GET", "/devices"), response)
        #expect(answer.ruleName == "remove-powered-by")
        #expect(decision.headers.values("x-powered-by").isEmpty)
        #expect(decision.headers.values("content-type") == ["application/json"])
        #expect(decision.body == "[]")
        #expect(decision.status == 200)
    }

    @Test func rewriteQueryTurnsNameAndOperatorIntoAFilter() throws {
        let rules = try self.policy("rewrite-query")
        let contains = try rules.requestPhase(
            ClientRequest("GET", "/persons", query: "name=Smith&operator=contains&page=2")
        )
        #expect(try contains.changes().query == .some("page=2&filter=name%20co%20%22Smith%22"))
        let equals = try rules.requestPhase(ClientRequest("GET", "/persons", query: "operator=equals&name=Ann+Lee"))
        #expect(try equals.changes().query == .some("filter=name%20eq%20%22Ann%20Lee%22"))
        #expect(try rules.requestPhase(ClientRequest("GET", "/persons", query: "name=Smith")).changes().isEmpty)
    }

    @Test func banListDeniesBannedPeopleInTheResponsePhase() throws {
        let rules = try self.policy("ban-list")
        let banned = try rules.requestPhase(ClientRequest("GET", "/persons/13"))
        #expect(banned.answer.decision == "allow")
        #expect(try banned.allowed().state != nil)
        let (answer, decision) = try rules.responsePhase(
            UpstreamResponse(body: #"{"id":13,"name":"Eve"}"#),
            after: banned
        )
        #expect(answer.decision == "deny")
        #expect(decision.status == 403)
        #expect(decision.headers.values("content-type") == ["application/json"])
        let message = try #require(try json(decision.body)["message"]?.string)
        #expect(message == "person 13 is banned")
        #expect(message.contains("banned"))

        let allowed = try rules.roundTrip(ClientRequest("GET", "/persons/7"), UpstreamResponse(body: #"{"id":7}"#))
        #expect(allowed.answer.decision == "pass")
        #expect(allowed.decision.body == #"{"id":7}"#)
    }

    @Test func removeAuditStripsTheAuditProperty() throws {
        let rules = try self.policy("remove-audit")
        let request = ClientRequest("POST", "/controls").body(#"{"name":"Ann","audit":{"by":"x"},"on":true}"#)
        #expect(try rules.requestPhase(request).changes().body == #"{"name":"Ann","on":true}"#)
        let plain = try rules.requestPhase(ClientRequest("POST", "/controls").body(#"{"name":"Ann"}"#))
        #expect(try plain.changes().isEmpty)
    }

    @Test func callsRemainingTurnsAnExhausted200IntoA402() throws {
        let rules = try self.policy("calls-remaining")
        let (answer, decision) = try rules.roundTrip(
            ClientRequest("GET", "/homes"),
            UpstreamResponse(body: #"{"homes":[],"callsRemaining":0}"#)
        )
        #expect(answer.decision == "respond")
        #expect(decision.status == 402)
        #expect(decision.headers.values("content-type") == ["application/json"])
        #expect(try json(decision.body)["message"]?.string?.lowercased().contains("limit") == true)

        let remaining = try rules.roundTrip(
            ClientRequest("GET", "/homes"),
            UpstreamResponse(body: #"{"callsRemaining":5}"#)
        )
        #expect(remaining.decision.status == 200)
        let notOK = try rules.roundTrip(
            ClientRequest("GET", "/homes"),
            UpstreamResponse(404, body: #"{"callsRemaining":0}"#)
        )
        #expect(notOK.decision.status == 404)
    }
}
