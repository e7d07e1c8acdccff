import Foundation
import MockPDP
import MockPolicy
import NIOCore
import TestSupport
import Testing

/// Hot reload of a rules file: a good change is picked up, a bad one is reported and ignored.
@Suite struct MockPDPReloadTests {
    static let allowing = """
        request_rules:
          - name: open-door
            match: {path: /door}
            allow: {}
        """

    static let denying = """
        request_rules:
          - name: closed-door
            match: {path: /door}
            deny: {status: 403}
          - name: spare
            match: {path: /spare}
            allow: {}
        """

    static let broken = """
        request_rules:
          - name: typo
            match: {paht: /door}
            deny: {status: 403}
        """

    /// Which rule decides `/door` now.
    static func ruleForDoor(_ server: MockPDPServer) async throws -> String? {
        _ = try await call(server, payload: requestPayload(path: "/door"))
        return server.decisions.last?.rule
    }

    @Test func swapsInAGoodFileAndKeepsTheLastGoodRulesWhenTheNextIsBad() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/rules.yml"
        try Self.allowing.write(toFile: path, atomically: false, encoding: .utf8)
        let logs = CapturingLogHandler.Store()
        var configuration = try testConfiguration()
        configuration.rulesPath = path
        configuration.reloadInterval = .milliseconds(30)
        configuration.logger = logs.logger()
        try await withMockPDP(configuration) { server in
            #expect(try await Self.ruleForDoor(server) == "open-door")

            try Self.denying.write(toFile: path, atomically: false, encoding: .utf8)
            let reloaded = try await eventually { try await Self.ruleForDoor(server) == "closed-door" }
            #expect(reloaded)
            #expect(logs.contains("rules reloaded (2 rules)"))
            let denied = try await call(server, payload: requestPayload(path: "/door"))
            #expect(try denied.json()["response"] != nil)

            try Self.broken.write(toFile: path, atomically: false, encoding: .utf8)
            let rejected = await eventually {
                logs.contains("match.paht: unknown field") && logs.contains("keeping the last good rules")
            }
            #expect(rejected)
            #expect(try await Self.ruleForDoor(server) == "closed-door")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func picksUpAFileReplacedByRename() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/rules.yml"
        try Self.allowing.write(toFile: path, atomically: false, encoding: .utf8)
        var configuration = try testConfiguration()
        configuration.rulesPath = path
        configuration.reloadInterval = .milliseconds(30)
        try await withMockPDP(configuration) { server in
            #expect(try await Self.ruleForDoor(server) == "open-door")
            // Editors often save by writing a new file and renaming it over the old one.
            try Self.denying.write(toFile: path, atomically: true, encoding: .utf8)
            let reloaded = try await eventually { try await Self.ruleForDoor(server) == "closed-door" }
            #expect(reloaded)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func refusesToStartWithAnInvalidRulesFile() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/rules.yml"
        try Self.broken.write(toFile: path, atomically: false, encoding: .utf8)
        var configuration = try testConfiguration()
        configuration.rulesPath = path
        await #expect(throws: MockRulesError.self) {
            try await withMockPDP(configuration) { _ in }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
