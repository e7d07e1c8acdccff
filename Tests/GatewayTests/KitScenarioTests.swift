import Foundation
import Logging
import MockPDP
import MockPolicy
import NIOCore
import NIOPosix
import Testing
import TestSupport

/// The six scenarios of PingIdentity's sideband adapter conformance kit, end to end: gateway + mock PDP
/// running the shipped `Config/policies` file + a small upstream with the kit's data shapes.
@Suite struct KitScenarioTests {
    static let policies = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Config/policies")

    /// The kit's API: homes, devices, persons, controls, usage.
    static let kitUpstream: ScriptedUpstream.Script = { request in
        let json = [("Content-Type", "application/json")]
        let path = String(request.uri.split(separator: "?", maxSplits: 1).first ?? "")
        switch (request.method, path) {
        case ("GET", "/homes"):
            return .init(headers: json, text: #"[{"id":"home-1","name":"Beach House"}]"#)
        case ("GET", "/devices"):
            return .init(headers: json + [("X-Powered-By", "Express")], text: #"[{"id":"dev-1","type":"thermostat"}]"#)
        case ("GET", "/persons"):
            return .init(headers: json, text: #"{"query":"\#(request.uri)"}"#)
        case ("GET", let person) where person.hasPrefix("/persons/"):
            return .init(headers: json, text: #"{"id":"\#(person.dropFirst(9))","name":"Someone"}"#)
        case ("POST", "/controls"):
            return .init(status: 201, headers: json, body: request.body)
        case ("GET", "/usage"):
            return .init(headers: json, text: #"{"callsRemaining":0}"#)
        case ("GET", "/usage/plenty"):
            return .init(headers: json, text: #"{"callsRemaining":5}"#)
        default:
            return .init(status: 404, headers: json, text: #"{"message":"not found"}"#)
        }
    }

    static func withKit(
        policy: String,
        _ body: (GatewayHarness, ScriptedUpstream, MockPDPServer) async throws -> Void
    ) async throws {
        let upstream = try await ScriptedUpstream.start(script: Self.kitUpstream)
        var logger = Logger(label: "mock-pdp-test")
        logger.logLevel = .critical
        let pdp = try await MockPDPServer.start(
            .init(port: 0, rulesPath: Self.policies.appendingPathComponent(policy).path, logger: logger),
            group: MultiThreadedEventLoopGroup.singleton
        )
        let gateway: GatewayHarness
        do {
            gateway = try await GatewayHarness.start(
                PingAuthTests.config(upstream: upstream.port, provider: "http://127.0.0.1:\(pdp.port)"),
                environment: PingAuthTests.environment
            )
        } catch {
            await upstream.close()
            await pdp.close()
            throw error
        }
        defer { Task { await gateway.stop(); await upstream.close(); await pdp.close() } }
        try await body(gateway, upstream, pdp)
    }

    @Test func aBearerTokenBecomesAUserHeaderAndTheAppIdIsDropped() async throws {
        try await Self.withKit(policy: "authorization-to-user.yml") { gateway, upstream, pdp in
            let token = #"{"active":true,"sub":"7d9fc465-ec1a-460c-ab38-435471f4918b"}"#
            let response = try await gateway.request(
                "GET /homes HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: Bearer \(token)\r\nX-App-Id: app-7\r\n\r\n"
            )
            #expect(response.status == 200)
            let received = try #require(upstream.requests.last)
            #expect(received.header("sh-user") == "7d9fc465-ec1a-460c-ab38-435471f4918b")
            #expect(received.header("authorization") == nil)
            #expect(received.header("x-app-id") == nil)
            #expect(pdp.decisions.contains { $0.rule == "bearer-to-user" })
        }
    }

    @Test func theXPoweredByResponseHeaderIsRemoved() async throws {
        try await Self.withKit(policy: "remove-powered-by.yml") { gateway, _, _ in
            let response = try await gateway.request("GET /devices HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.header("x-powered-by") == nil)
            #expect(response.bodyText.contains("thermostat"))
        }
    }

    @Test func aContainsQueryIsRewrittenIntoAFilter() async throws {
        try await Self.withKit(policy: "rewrite-query.yml") { gateway, upstream, _ in
            let response = try await gateway.request(
                "GET /persons?name=Ann&operator=contains HTTP/1.1\r\nHost: api.example.com\r\n\r\n"
            )
            #expect(response.status == 200)
            let uri = try #require(upstream.requests.last?.uri)
            let query = try #require(URLComponents(string: uri)?.queryItems)
            #expect(query.first { $0.name == "filter" }?.value == #"name co "Ann""#)
            #expect(!query.contains { $0.name == "name" || $0.name == "operator" })
        }
    }

    @Test func aBannedPersonIsDeniedInTheResponsePhaseUsingState() async throws {
        try await Self.withKit(policy: "ban-list.yml") { gateway, upstream, _ in
            let banned = try await gateway.request("GET /persons/666 HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
            #expect(banned.status == 403)
            #expect(banned.bodyText.contains("banned"))
            #expect(upstream.requests.count == 1)  // the decision came after the upstream answered
            let allowed = try await gateway.request("GET /persons/7 HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
            #expect(allowed.status == 200)
            #expect(allowed.bodyText.contains("Someone"))
        }
    }

    @Test func anAuditPropertyIsRemovedFromTheRequestBody() async throws {
        try await Self.withKit(policy: "remove-audit.yml") { gateway, upstream, _ in
            let body = #"{"device":"dev-1","state":"on","audit":{"by":"ops"}}"#
            let response = try await gateway.request(
                "POST /controls HTTP/1.1\r\nHost: api.example.com\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
            #expect(response.status == 201)
            let received = try #require(upstream.requests.last)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
            #expect(json["audit"] == nil)
            #expect(json["device"] as? String == "dev-1")
            #expect(received.header("content-length") == String(received.body.count))
        }
    }

    @Test func anExhaustedCallBudgetTurns200Into402() async throws {
        try await Self.withKit(policy: "calls-remaining.yml") { gateway, _, _ in
            let exhausted = try await gateway.request("GET /usage HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
            #expect(exhausted.status == 402)
            #expect(exhausted.bodyText.lowercased().contains("limit"))
            let fine = try await gateway.request("GET /usage/plenty HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
            #expect(fine.status == 200)
            #expect(fine.bodyText.contains("\"callsRemaining\":5"))
        }
    }
}
