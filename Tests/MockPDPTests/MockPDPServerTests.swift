import Foundation
import MockPDP
import TestSupport
import Testing

/// The mock over real HTTP: decisions, transport details, authentication and the developer endpoints.
@Suite struct MockPDPServerTests {
    static let rules = """
        settings:
          shared_secrets: [first-secret, second-secret]
          decision_log_size: 3
        request_rules:
          - name: deny-admin
            match:
              path: /admin/**
            deny:
              status: 403
          - name: tag-hello
            match:
              path: /hello
            allow:
              add_headers:
                X-Policy: modified
        """

    static let secret = [("CLIENT-TOKEN", "first-secret")]

    @Test func deniesAndAllowsOverHTTPWithACorrelationID() async throws {
        let logs = CapturingLogHandler.Store()
        var configuration = try testConfiguration(rules: Self.rules)
        configuration.logger = logs.logger()
        try await withMockPDP(configuration) { server in
            let denied = try await call(server, payload: requestPayload(path: "/admin/users"), headers: Self.secret)
            #expect(denied.status == 200)
            #expect(denied.header("content-type") == "application/json")
            #expect(UUID(uuidString: denied.header("correlation-id") ?? "") != nil)
            let response = try #require(try denied.json()["response"] as? [String: Any])
            #expect(response["response_code"] as? String == "403")

            let allowed = try await call(server, payload: requestPayload(path: "/hello"), headers: Self.secret)
            #expect(allowed.status == 200)
            let echoed = try allowed.json()
            #expect(echoed["response"] == nil)
            #expect(echoed["source_port"] as? Int == 51722)
            #expect(allowed.bodyText.contains(#""X-Policy":"modified""#))
            #expect(UUID(uuidString: allowed.header("correlation-id") ?? "") != nil)
            #expect(allowed.header("correlation-id") != denied.header("correlation-id"))

            let phases = server.decisions.map { "\($0.phase.rawValue) \($0.rule) \($0.decision) \($0.status)" }
            #expect(phases == ["request deny-admin deny 200", "request tag-hello modify 200"])
            #expect(server.decisions.map(\.clientStatus) == [403, nil])
        }
        #expect(
            logs.contains(
                "info mock-pdp decision phase=request rule=deny-admin decision=deny status=403 "
                    + "GET https://api.example.com:443/admin/users"
            )
        )
        #expect(logs.contains("decision=modify status=200 GET https://api.example.com:443/hello"))
    }

    @Test func answersTheResponsePhase() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            let answer = try await call(
                server,
                path: "/sideband/response",
                payload: responsePayload(path: "/hello", body: #"{"a":1}"#),
                headers: Self.secret
            )
            #expect(answer.status == 200)
            #expect(try answer.json()["response_code"] as? String == "200")
            #expect(server.decisions.last?.phase == .response)
            #expect(server.decisions.last?.decision == "pass")
        }
    }

    @Test func acceptsAnyPathPrefixAndAQueryBeforeTheSidebandPath() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            let answer = try await call(
                server,
                path: "/paz/v1/sideband/request?tenant=a",
                payload: requestPayload(path: "/admin/x"),
                headers: Self.secret
            )
            #expect(answer.status == 200)
            #expect(try answer.json()["response"] != nil)
        }
    }

    @Test func keepsTheConnectionAliveAcrossCalls() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            let connection = try await RawHTTPConnection.connect(port: server.port)
            for path in ["/hello", "/admin/a", "/other"] {
                try await connection.send(
                    sidebandRequest(
                        path: "/sideband/request",
                        payload: requestPayload(path: path),
                        headers: Self.secret
                    )
                )
                let answer = try await connection.readResponse()
                #expect(answer.status == 200)
                #expect(answer.header("connection") == nil)
            }
            #expect(!connection.isClosed)
            await connection.close()
            #expect(server.decisions.count == 3)
        }
    }

    @Test func refusesAMissingOrWrongSecretAndAcceptsTheRotatedOne() async throws {
        let logs = CapturingLogHandler.Store()
        var configuration = try testConfiguration(rules: Self.rules)
        configuration.logger = logs.logger()
        try await withMockPDP(configuration) { server in
            let missing = try await call(server, payload: requestPayload(path: "/hello"))
            #expect(missing.status == 401)
            let body = try missing.json()
            #expect(body["code"] as? String == "UNAUTHORIZED")
            #expect(body["message"] as? String == "The Gateway Token is invalid")
            #expect(UUID(uuidString: body["id"] as? String ?? "") != nil)

            let wrong = try await call(
                server,
                payload: requestPayload(path: "/hello"),
                headers: [("CLIENT-TOKEN", "not-the-secret")]
            )
            #expect(wrong.status == 401)

            let rotated = try await call(
                server,
                payload: requestPayload(path: "/hello"),
                headers: [("client-token", "second-secret")]
            )
            #expect(rotated.status == 200)
            #expect(server.decisions.map(\.decision) == ["unauthorized", "unauthorized", "modify"])
        }
        #expect(logs.contains("decision=unauthorized"))
        #expect(!logs.contains("first-secret"))
        #expect(!logs.contains("not-the-secret"))
        #expect(!logs.contains("second-secret"))
    }

    @Test func listsTheLastDecisionsAsJSON() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            for path in ["/a", "/admin/b", "/hello", "/c"] {
                _ = try await call(server, payload: requestPayload(path: path), headers: Self.secret)
            }
            let connection = try await RawHTTPConnection.connect(port: server.port)
            try await connection.send("GET /_mock/decisions HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = try await connection.readResponse()
            await connection.close()
            #expect(answer.status == 200)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [[String: Any]])
            // decision_log_size: 3 keeps the last three, oldest first.
            #expect(list.map { $0["rule"] as? String } == ["deny-admin", "tag-hello", "default"])
            #expect(list.first?["client_status"] as? Int == 403)
            let last = try #require(list.last)
            #expect(last["phase"] as? String == "request")
            #expect(last["decision"] as? String == "allow")
            #expect(last["status"] as? Int == 200)
            #expect((last["summary"] as? String)?.contains("/c") == true)
            #expect(last["latency_ms"] is Double || last["latency_ms"] is Int)
            #expect(last["time"] is String)
        }
    }

    @Test func answersHealthAndRefusesUnknownPathsAndMethods() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            let connection = try await RawHTTPConnection.connect(port: server.port)
            try await connection.send("GET /_mock/health HTTP/1.1\r\nHost: x\r\n\r\n")
            let health = try await connection.readResponse()
            #expect(health.status == 200)
            #expect(try health.json()["status"] as? String == "UP")

            try await connection.send("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n")
            let missing = try await connection.readResponse()
            #expect(missing.status == 404)
            #expect(try missing.json()["code"] as? String == "NOT_FOUND")

            try await connection.send("GET /sideband/request HTTP/1.1\r\nHost: x\r\n\r\n")
            let wrongMethod = try await connection.readResponse()
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("allow") == "POST")
            await connection.close()
            #expect(server.decisions.isEmpty)
        }
    }

    @Test func answersAMalformedPayloadWith400() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            let answer = try await call(server, payload: "{not json", headers: Self.secret)
            #expect(answer.status == 400)
            #expect(server.decisions.last?.decision == "error")
        }
    }

    @Test func closesAfterAnsweringARequestThatAsksToClose() async throws {
        try await withMockPDP(rules: Self.rules) { server in
            let connection = try await RawHTTPConnection.connect(port: server.port)
            try await connection.send(
                sidebandRequest(
                    path: "/sideband/request",
                    payload: requestPayload(path: "/a"),
                    headers: Self.secret + [("Connection", "close")]
                )
            )
            let answer = try await connection.readResponse()
            #expect(answer.status == 200)
            #expect(answer.header("connection") == "close")
            #expect(try await connection.waitForClose())
            await connection.close()
        }
    }
}
