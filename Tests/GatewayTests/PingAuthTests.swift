import DemoUpstream
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
import TestSupport

/// The ping-auth plugin end to end: gateway + recording policy provider + echo upstream, real sockets.
@Suite struct PingAuthTests {
    static func config(upstream: Int, provider: String, plugin: String = "", proxy: String = "") -> String {
        """
        _format_version: "3.0"
        proxy: {\(proxy.isEmpty ? "listen: [\"127.0.0.1:0\"]" : proxy)}
        services:
          - name: s
            url: http://127.0.0.1:\(upstream)
            routes:
              - {name: covered, paths: ["/"]}
              - {name: open, paths: ["/public"]}
        plugins:
          - name: ping-auth
            route: covered
            config:
              service_url: \(provider)
              shared_secret: "{vault://env/PAZ_SECRET}"
              secret_header_name: CLIENT-TOKEN
        \(plugin.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))
        """
    }

    static let environment = ["PAZ_SECRET": "s3cr3t-value"]

    /// Runs `body` with an echo upstream, a recording provider and a gateway wired to both.
    static func withPolicy(
        plugin: String = "",
        proxy: String = "",
        providerURL: ((Int) -> String)? = nil,
        script: RecordingPolicyProvider.Script? = nil,
        _ body: (GatewayHarness, EchoServer, RecordingPolicyProvider) async throws -> Void
    ) async throws {
        let upstream = try await EchoServer.start(group: MultiThreadedEventLoopGroup.singleton)
        let provider = try await RecordingPolicyProvider.start(script: script)
        let url = providerURL?(provider.port) ?? "http://127.0.0.1:\(provider.port)"
        let gateway: GatewayHarness
        do {
            gateway = try await GatewayHarness.start(
                Self.config(upstream: upstream.port, provider: url, plugin: plugin, proxy: proxy),
                environment: Self.environment
            )
        } catch {
            try? await upstream.close()
            await provider.close()
            throw error
        }
        defer {
            Task {
                await gateway.stop()
                try? await upstream.close()
                await provider.close()
            }
        }
        try await body(gateway, upstream, provider)
    }

    @Test func allowedRequestGoesUpstreamAndBothPhasesAreDescribed() async throws {
        try await Self.withPolicy { gateway, upstream, provider in
            let response = try await gateway.request(
                "POST /orders/17?expand=items&expand=owner HTTP/1.1\r\nHost: API.example.com:8443\r\n"
                    + "X-Trace: a\r\nX-Trace: b\r\nX_Hidden: 1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 9\r\nCLIENT-TOKEN: forged\r\n\r\n{\"qty\":2}"
            )
            #expect(response.status == 200)
            let echoed = try EchoedRequest(response)
            #expect(echoed.uri == "/orders/17?expand=items&expand=owner")
            #expect(echoed.body == "{\"qty\":2}")
            #expect(echoed.header("client-token") == nil)  // never forwarded upstream
            #expect(upstream.requestsServed == 1)

            let calls = provider.calls
            try #require(calls.count == 2)
            let request = calls[0]
            #expect(request.path == "/sideband/request")
            #expect(request.header("CLIENT-TOKEN") == "s3cr3t-value")
            #expect(request.header("content-type") == "application/json")
            #expect(request.header("host") == "127.0.0.1:\(provider.port)")
            #expect(request.header("user-agent")?.hasPrefix("ping-auth-proxy/") == true)
            let payload = request.json
            #expect(payload["source_ip"] as? String == "127.0.0.1")
            #expect(payload["source_port"] is NSNumber)
            #expect(payload["method"] as? String == "POST")
            #expect(payload["url"] as? String == "http://api.example.com:\(gateway.port)/orders/17?expand=items&expand=owner")
            #expect(payload["http_version"] as? String == "1.1")
            #expect(payload["body"] as? String == "{\"qty\":2}")
            let headers = try #require(payload["headers"] as? [[String: String]])
            #expect(headers.filter { $0["x-trace"] != nil }.map { $0["x-trace"]! } == ["a", "b"])
            #expect(!headers.contains { $0["x_hidden"] != nil })
            #expect(headers.contains { $0["host"] == "API.example.com:8443" })

            let responsePhase = calls[1]
            #expect(responsePhase.path == "/sideband/response")
            let described = responsePhase.json
            #expect(described["response_code"] as? String == "200")
            #expect(described["response_status"] as? String == "OK")
            #expect(described["method"] as? String == "POST")
            #expect(described["url"] as? String == payload["url"] as? String)
            #expect((described["body"] as? String)?.contains("\"uri\":\"/orders/17") == true)
            // no state came back, so the request payload is echoed
            let echoedRequest = try #require(described["request"] as? [String: Any])
            #expect(echoedRequest["url"] as? String == payload["url"] as? String)
            #expect(described["state"] == nil)
        }
    }

    @Test func routesWithoutTheInstanceAreProxiedPlainly() async throws {
        try await Self.withPolicy { gateway, _, provider in
            let response = try await gateway.request("GET /public/x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 200)
            #expect(provider.calls.isEmpty)
        }
    }

    @Test func denyRelaysThePolicyResponseAndNeverContactsTheUpstream() async throws {
        try await Self.withPolicy(script: { call in
            guard call.path.hasSuffix("/request") else { return nil }
            return .json([
                "response": [
                    "response_code": "403", "response_status": "FORBIDDEN",
                    "headers": [["Content-Type": "application/json"], ["X-Reason": "one"], ["x-reason": "two"]],
                    "body": "{\"status\":403,\"message\":\"insufficient_scope\"}",
                ]
            ])
        }) { gateway, upstream, provider in
            let response = try await gateway.request("GET /secret HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 403)
            #expect(response.bodyText == "{\"status\":403,\"message\":\"insufficient_scope\"}")
            #expect(response.headerValues("x-reason") == ["one", "two"])
            #expect(response.header("content-type") == "application/json")
            #expect(upstream.requestsServed == 0)
            #expect(provider.calls.count == 1)
        }
    }

    @Test func allowWithChangesRewritesTheUpstreamRequest() async throws {
        try await Self.withPolicy(script: { call in
            guard call.path.hasSuffix("/request") else { return nil }
            var answer = call.json
            answer["method"] = "PUT"
            answer["url"] = "http://h:1/modified/path?b=2&sp=x%20y"
            answer["body"] = "modified body from pdp"
            var headers = (answer["headers"] as? [[String: String]] ?? []).filter { $0["x-remove-me"] == nil }
            headers = headers.map { $0["x-change-me"] != nil ? ["x-change-me": "changed"] : $0 }
            headers.append(["x-added": "one"])
            headers.append(["x-added": "two"])
            answer["headers"] = headers
            answer["state"] = ["n": 46]
            return .json(answer)
        }) { gateway, _, provider in
            let response = try await gateway.request(
                "POST /orig/path?a=1 HTTP/1.1\r\nHost: h\r\nX-Remove-Me: bye\r\nX-Change-Me: before\r\n"
                    + "Accept-Encoding: gzip\r\nContent-Length: 13\r\n\r\noriginal body"
            )
            #expect(response.status == 200)
            let echoed = try EchoedRequest(response)
            #expect(echoed.method == "PUT")
            #expect(echoed.uri == "/modified/path?b=2&sp=x%20y")
            #expect(echoed.body == "modified body from pdp")
            #expect(echoed.header("x-remove-me") == nil)
            #expect(echoed.header("x-change-me") == "changed")
            #expect(echoed.headerValues("x-added") == ["one", "two"])
            #expect(echoed.header("accept-encoding") == nil)
            #expect(echoed.header("content-length") == "22")
            #expect(echoed.header("host") == "h:1")
            let responsePhase = try #require(provider.calls.last)
            let state = try #require(responsePhase.json["state"] as? [String: Any])
            #expect(state["n"] as? Int == 46)
            #expect(responsePhase.json["request"] == nil)
        }
    }

    @Test func responsePhaseAnswerIsWhatTheClientGets() async throws {
        try await Self.withPolicy(script: { call in
            guard call.path.hasSuffix("/response") else { return nil }
            return .json([
                "response_code": 402, "response_status": "PAYMENT REQUIRED",
                "headers": [["Content-Type": "application/json"], ["X-Pdp": "added"]],
                "body": "{\"message\":\"limit\"}",
            ])
        }) { gateway, _, _ in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 402)
            #expect(response.bodyText == "{\"message\":\"limit\"}")
            #expect(response.header("x-pdp") == "added")
            #expect(response.header("x-upstream") == nil)  // upstream headers absent from the answer are dropped
            #expect(response.header("content-length") == "19")
        }
    }

    @Test func skipResponsePhaseStreamsTheUpstreamResponse() async throws {
        try await Self.withPolicy(plugin: "skip_response_phase: true") { gateway, _, provider in
            let response = try await gateway.request("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(response.status == 200)
            #expect(response.header("x-upstream") == "echo")
            #expect(provider.calls.map(\.path) == ["/sideband/request"])
        }
    }

    @Test func sequentialRequestsReuseAHandfulOfSidebandConnections() async throws {
        try await Self.withPolicy { gateway, _, provider in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            for index in 0..<30 {
                try await connection.send("GET /n/\(index) HTTP/1.1\r\nHost: h\r\n\r\n")
                #expect(try await connection.readResponse().status == 200)
            }
            await connection.close()
            #expect(provider.calls.count == 60)
            #expect(provider.connectionsAccepted <= 2)
        }
    }

    @Test func idleSidebandConnectionsExpireAfterKeepAlive() async throws {
        try await Self.withPolicy(plugin: "connection_keepAlive_ms: 100") { gateway, _, provider in
            let connection = try await RawHTTPConnection.connect(port: gateway.port)
            try await connection.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)
            let before = provider.connectionsAccepted
            try await Task.sleep(for: .milliseconds(400))
            try await connection.send("GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)
            #expect(provider.connectionsAccepted > before)
            await connection.close()
        }
    }
}
