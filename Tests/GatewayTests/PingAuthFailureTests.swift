import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import TestSupport

/// SIDEBAND.md §6, row by row.
@Suite struct PingAuthFailureTests {
    @Test func unreachableProviderFailsClosedOrOpenWhenConfigured() async throws {
        let closed = unusedPort()
        try await PingAuthTests.withPolicy(providerURL: { _ in "http://127.0.0.1:\(closed)" }) { gateway, upstream, _ in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 502)
            #expect(response.body.isEmpty)
            #expect(upstream.requestsServed == 0)
        }
        try await PingAuthTests.withPolicy(plugin: "fail_open: true", providerURL: { _ in "http://127.0.0.1:\(closed)" }) {
            gateway, upstream, _ in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.header("x-upstream") == "echo")
            #expect(upstream.requestsServed == 1)
        }
    }

    @Test func slowProviderTimesOutInto502() async throws {
        try await PingAuthTests.withPolicy(
            plugin: "connection_timeout_ms: 200",
            script: { _ in .raw("{}", status: 200).delayed(by: .seconds(2)) }
        ) { gateway, _, _ in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 502)
            #expect(clock.now - start < .seconds(2))
        }
    }

    @Test func providerErrorsAre502AndPassthroughCodesAreRelayed() async throws {
        for (status, body) in [(500, "{\"message\":\"boom\"}"), (401, "{\"message\":\"The Gateway Token is invalid\",\"id\":\"x\"}"), (400, "{}")] {
            try await PingAuthTests.withPolicy(script: { _ in .raw(body, status: status) }) { gateway, upstream, _ in
                let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(response.status == 502, "provider \(status)")
                #expect(response.body.isEmpty)
                #expect(upstream.requestsServed == 0)
            }
        }
        try await PingAuthTests.withPolicy(script: { _ in .raw("{\"message\":\"too big\"}", status: 413) }) { gateway, _, _ in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 413)
            #expect(response.bodyText == "{\"message\":\"too big\"}")
            #expect(response.header("content-type") == "application/json")
        }
    }

    @Test func answersThatAreNotDecisionsAre502() async throws {
        for body in ["not json", "[1,2]", "{\"response\": 5}", "{\"response\": {\"response_code\": \"abc\"}}"] {
            try await PingAuthTests.withPolicy(script: { call in call.path.hasSuffix("/request") ? .raw(body) : nil }) {
                gateway, upstream, _ in
                let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(response.status == 502, "answer \(body)")
                #expect(upstream.requestsServed == 0)
            }
        }
    }

    /// The plugin's breaker reported the *elapsed* seconds and broke for good without Retry-After.
    @Test func rateLimitOpensTheInstancesCircuitForRetryAfterSeconds() async throws {
        try await PingAuthTests.withPolicy(script: { call in
            call.json["url"].map { "\($0)" }?.contains("/limited") == true
                ? .raw("{}", status: 429, headers: [("Retry-After", "3")]) : nil
        }) { gateway, _, provider in
            let limited = try await gateway.request("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(limited.status == 429)
            #expect(provider.calls.count == 1)
            let whileOpen = try await gateway.request("GET /other HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(whileOpen.status == 429)
            #expect(["2", "3"].contains(whileOpen.header("retry-after") ?? ""))  // seconds remaining, rounded up
            let json = try whileOpen.json()
            #expect(json["code"] as? String == "LIMIT_EXCEEDED")
            #expect(provider.calls.count == 1)  // not called while open
            try await Task.sleep(for: .milliseconds(3100))
            let after = try await gateway.request("GET /other HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(after.status == 200)
            #expect(provider.calls.count == 3)
        }
    }

    @Test func rateLimitWithoutRetryAfterOpensForOneSecondAndRecovers() async throws {
        try await PingAuthTests.withPolicy(script: { call in
            call.json["url"].map { "\($0)" }?.contains("/limited") == true ? .raw("{}", status: 429) : nil
        }) { gateway, _, _ in
            #expect(try await gateway.request("GET /limited HTTP/1.1\r\nHost: h\r\n\r\n").status == 429)
            let open = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(open.status == 429)
            #expect(open.header("retry-after") == "1")
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status == 200)
        }
    }

    @Test func failOpenInTheResponsePhasePassesTheUpstreamResponse() async throws {
        try await PingAuthTests.withPolicy(
            plugin: "fail_open: true",
            script: { call in call.path.hasSuffix("/response") ? .raw("{}", status: 503) : nil }
        ) { gateway, _, _ in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.header("x-upstream") == "echo")
            #expect(try EchoedRequest(response).uri == "/x")
        }
        try await PingAuthTests.withPolicy(
            script: { call in call.path.hasSuffix("/response") ? .raw("{}", status: 503) : nil }
        ) { gateway, _, _ in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 502)
        }
    }

    @Test func retriesRecoverFromATransientProviderError() async throws {
        let failures = Counter()
        try await PingAuthTests.withPolicy(
            plugin: "max_retries: 2\nretry_backoff_ms: 10",
            script: { call in
                guard call.path.hasSuffix("/request") else { return nil }
                return failures.next() < 2 ? .raw("{}", status: 503) : nil
            }
        ) { gateway, _, provider in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 200)
            #expect(provider.calls.filter { $0.path.hasSuffix("/request") }.count == 3)
        }
    }

    @Test func bodiesOverTheSidebandLimitAre413AndInvalidUTF8Is415() async throws {
        try await PingAuthTests.withPolicy(plugin: "max_sideband_body_bytes: 10") { gateway, upstream, provider in
            let declared = try await gateway.request("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n12345678901")
            #expect(declared.status == 413)
            let chunked = try await gateway.request(
                "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n6\r\n123456\r\n0\r\n\r\n"
            )
            #expect(chunked.status == 413)
            #expect(upstream.requestsServed == 0)
            #expect(provider.calls.isEmpty)
        }
        try await PingAuthTests.withPolicy { gateway, _, provider in
            var raw = Array("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\n".utf8)
            raw += [0xFF, 0xFE]
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send(raw)
            #expect(try await connection.readResponse().status == 415)
            await connection.close()
            #expect(provider.calls.isEmpty)
        }
        try await PingAuthTests.withPolicy(plugin: "include_body_content_types: [\"application/json\"]") {
            gateway, upstream, provider in
            var raw = Array("POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/octet-stream\r\nContent-Length: 2\r\n\r\n".utf8)
            raw += [0xFF, 0xFE]
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send(raw)
            let response = try await connection.readResponse()
            #expect(response.status == 200)
            #expect(try EchoedRequest(response).bodyBytes == 2)
            #expect(provider.calls.first?.json["body"] == nil)  // omitted, not mangled
            #expect(upstream.requestsServed == 1)
            await connection.close()
        }
    }
}

/// A thread-safe counter for provider scripts.
final class Counter: Sendable {
    private let box = NIOLockedValueBox(0)
    /// The current value, then increments it.
    func next() -> Int { self.box.withLockedValue { value in defer { value += 1 }; return value } }
}

extension RecordingPolicyProvider.Answer {
    func delayed(by delay: TimeAmount) -> Self {
        var copy = self
        copy.delay = delay
        return copy
    }
}
