import CompressNIO
import Foundation
@testable import Gateway
import NIOCore
import NIOPosix
import Testing
import TestSupport

@Suite struct PingAuthResponseDecodingTests {
    /// PingAuthorize cannot read compressed bodies: the response phase describes the decoded body.
    @Test(arguments: ["gzip", "deflate"])
    func compressedUpstreamBodiesAreDescribedDecoded(_ encoding: String) async throws {
        let text = "{\"callsRemaining\":0,\"note\":\"" + String(repeating: "compressible ", count: 50) + "\"}"
        var plain = ByteBuffer(string: text)
        let compressed = try plain.compress(with: encoding == "gzip" ? .gzip() : .zlib())
        let upstream = try await ScriptedUpstream.start { _ in
            ScriptedUpstream.Reply(
                status: 200,
                headers: [(name: "Content-Type", value: "application/json"), (name: "Content-Encoding", value: encoding)],
                body: Array(compressed.readableBytesView)
            )
        }
        let provider = try await RecordingPolicyProvider.start()
        let gateway = try await GatewayHarness.start(
            PingAuthTests.config(upstream: upstream.port, provider: "http://127.0.0.1:\(provider.port)"),
            environment: PingAuthTests.environment
        )
        defer { Task { await gateway.stop(); await upstream.close(); await provider.close() } }
        let response = try await gateway.request("GET /data HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(response.status == 200)
        let described = try #require(provider.calls.last).json
        #expect(described["body"] as? String == text)
        let headers = described["headers"] as? [[String: String]] ?? []
        #expect(!headers.contains { $0["content-encoding"] != nil })
        // the final body is the policy's (identity): no content-encoding reaches the client
        #expect(response.header("content-encoding") == nil)
        #expect(response.bodyText == text)
    }
}

@Suite struct SidebandRedactionTests {
    @Test func redactedHeadersAndTheSecretNeverReachDebugLogs() {
        let payload = ByteBuffer(
            string: #"{"url":"http://h:1/","headers":[{"authorization":"Bearer tok"},{"cookie":"a=1"},{"x-ok":"v"},{"client-token":"s3cr3t"}]}"#
        )
        let logged = SidebandRedaction.redacted(payload, headers: ["authorization", "cookie", "client-token"])
        #expect(!logged.contains("Bearer tok"))
        #expect(!logged.contains("a=1"))
        #expect(!logged.contains("s3cr3t"))
        #expect(logged.contains("[REDACTED]"))
        #expect(logged.contains("\"x-ok\":\"v\""))
    }
}
