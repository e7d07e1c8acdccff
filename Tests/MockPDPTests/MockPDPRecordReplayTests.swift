import Foundation
import MockPDP
import NIOCore
import TestSupport
import Testing

/// Record against a stand-in PingAuthorize, then replay offline with the stand-in gone.
@Suite struct MockPDPRecordReplayTests {
    static let secret = "recorded-secret-value"

    /// The stand-in: denies `/admin…`, rate-limits `/limited`, echoes everything else.
    static func standIn() async throws -> RecordingPolicyProvider {
        try await RecordingPolicyProvider.start { call in
            let url = call.json["url"] as? String ?? ""
            if url.contains("/admin") {
                return .json([
                    "response": [
                        "response_code": "403", "response_status": "FORBIDDEN",
                        "headers": [["Content-Type": "application/json"]], "body": #"{"message":"no"}"#,
                    ]
                ])
            }
            if url.contains("/limited") {
                return .json(["message": "slow down"], status: 429, headers: [("Retry-After", "3")])
            }
            return nil
        }
    }

    /// The calls both runs make; `port` varies `source_port`, which replay must ignore.
    static func calls(port: Int) -> [(path: String, payload: String)] {
        [
            ("/sideband/request", requestPayload(path: "/hello", sourcePort: port)),
            ("/sideband/request", requestPayload(path: "/admin/x", sourcePort: port)),
            ("/sideband/request", requestPayload(path: "/limited", sourcePort: port)),
            ("/sideband/response", responsePayload(path: "/hello", body: #"{"id":7}"#, state: "state-\(port)")),
        ]
    }

    @Test func recordsForwardedCallsAndReplaysThemOffline() async throws {
        let directory = try temporaryDirectory()
        let recording = directory + "/calls.jsonl"
        let provider = try await Self.standIn()
        var recorded: [(status: Int, body: String, retryAfter: String?)] = []

        do {
            var configuration = try testConfiguration()
            configuration.forwardTo = "http://127.0.0.1:\(provider.port)/"
            configuration.recordTo = recording
            try await withMockPDP(configuration) { server in
                for exchange in Self.calls(port: 40001) {
                    let answer = try await call(
                        server,
                        path: exchange.path,
                        payload: exchange.payload,
                        headers: [("CLIENT-TOKEN", Self.secret)]
                    )
                    recorded.append((answer.status, answer.bodyText, answer.header("retry-after")))
                }
                #expect(server.decisions.map(\.rule) == ["forward", "forward", "forward", "forward"])
                #expect(server.decisions.map(\.decision) == ["allow", "deny", "error", "respond"])
                #expect(server.decisions.map(\.clientStatus) == [nil, 403, nil, 200])
            }
        } catch {
            await provider.close()
            throw error
        }
        let seen = provider.calls
        await provider.close()

        // The stand-in saw every call, with the caller's secret, on the phase's path.
        #expect(seen.map(\.path) == Self.calls(port: 0).map(\.path))
        #expect(seen.allSatisfy { $0.header("CLIENT-TOKEN") == Self.secret })
        #expect(recorded.map(\.status) == [200, 200, 429, 200])
        #expect(recorded[1].body.contains("FORBIDDEN"))
        #expect(recorded[2].retryAfter == "3")

        // One JSONL line per call, and the secret is nowhere in the file.
        let text = try String(contentsOfFile: recording, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(!text.contains(Self.secret))
        let first = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        )
        #expect(first["path"] as? String == "/sideband/request")
        #expect(first["status"] as? Int == 200)
        #expect((first["request"] as? [String: Any])?["method"] as? String == "GET")
        #expect(first["response"] is [String: Any])
        #expect(first["time"] is String)

        // Offline: the stand-in is closed; the same calls (other ports, other state) get the same answers.
        var replaying = try testConfiguration()
        replaying.replayFrom = recording
        try await withMockPDP(replaying) { server in
            for (index, exchange) in Self.calls(port: 40999).enumerated() {
                let answer = try await call(server, path: exchange.path, payload: exchange.payload)
                #expect(answer.status == recorded[index].status)
                #expect(answer.bodyText == recorded[index].body)
                #expect(answer.header("retry-after") == recorded[index].retryAfter)
            }
            let unknown = try await call(server, payload: requestPayload(path: "/never-recorded"))
            #expect(unknown.status == 404)
            #expect(try unknown.json()["message"] as? String == "no recorded answer for this call")
            #expect(server.decisions.last?.decision == "not_recorded")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func answers502WhenTheProviderIsGone() async throws {
        // A reserved port nothing listens on: a port freed by closing a server could be taken at once by
        // another test's server running in parallel.
        let gone = try RefusingPort()
        let port = gone.port
        defer { withExtendedLifetime(gone) {} }
        var configuration = try testConfiguration()
        configuration.forwardTo = "http://127.0.0.1:\(port)"
        configuration.forwardTimeout = .seconds(2)
        try await withMockPDP(configuration) { server in
            let answer = try await call(server, payload: requestPayload(path: "/a"))
            #expect(answer.status == 502)
            #expect(try answer.json()["code"] as? String == "BAD_GATEWAY")
            #expect(server.decisions.last?.decision == "provider_failed")
        }
    }

    @Test func refusesToRecordWithoutAProvider() async throws {
        var configuration = try testConfiguration()
        configuration.recordTo = "/tmp/never-written.jsonl"
        await #expect(throws: MockPDPError.recordWithoutForward) {
            try await withMockPDP(configuration) { _ in }
        }
    }
}
