import NIOCore
import SidebandProtocol
import Testing

@testable import MockPolicy

/// Response rules: conditions on the upstream response and on the original request, the outcomes, and
/// how the original request travels (`state`, `request`, nothing).
@Suite struct ResponsePhaseTests {
    @Test func passEchoesTheResponseWithAStringResponseCode() throws {
        let rules = try MockRules.test("default: {response: pass}")
        let response = UpstreamResponse(
            201,
            body: #"{"id":17}"#,
            headers: [("content-type", "application/json"), ("x-a", "1")]
        )
        let (answer, decision) = try rules.roundTrip(ClientRequest("POST", "/orders"), response)
        #expect(answer.decision == "pass")
        #expect(answer.ruleName == "default")
        #expect(answer.summary == "POST https://api.example.com:443/orders 201")
        #expect(decision.status == 201)
        #expect(decision.body == #"{"id":17}"#)
        #expect(decision.headers.map(\.name) == ["content-type", "x-a"])
        let raw = try json(String(buffer: answer.body))
        #expect(raw["response_code"]?.string == "201")
        #expect(raw["response_status"]?.string == "CREATED")
        #expect(raw["url"]?.string == "https://api.example.com:443/orders")
        #expect(raw["state"] == nil)
    }

    @Test func statusConditionsExactClassRangeAndList() throws {
        let rules = try MockRules.test(
            """
            response_rules:
              - name: exact
                match: {status: 204}
                pass:
              - name: class
                match: {status: 4xx}
                pass:
              - name: range
                match: {status: "500-502"}
                pass:
              - name: list
                match: {status: [201, 299]}
                pass:
            """
        )
        for (status, expected) in [
            (204, "exact"), (404, "class"), (499, "class"), (501, "range"), (503, "default"), (201, "list"),
            (200, "default"),
        ] {
            #expect(
                try rules.roundTrip(ClientRequest(), UpstreamResponse(status)).answer.ruleName == expected,
                "\(status)"
            )
        }
    }

    @Test func respondChangesStatusHeadersAndBodyFields() throws {
        let rules = try MockRules.test(
            """
            response_rules:
              - match:
                  status: 200
                  headers: {x-powered-by: {present: true}}
                  body: {$.secret: {exists: true}}
                respond:
                  status: 203
                  remove_headers: [x-powered-by]
                  set_headers: {Cache-Control: no-store}
                  add_headers: {X-Checked: "{{response.status}} {{response.headers.x-powered-by}}"}
                  body:
                    remove: [$.secret]
                    set: {$.user: "{{response.body.$.owner.name}}"}
            """
        )
        let response = UpstreamResponse(
            body: #"{"owner":{"name":"Ann"},"secret":"s"}"#,
            headers: [("content-type", "application/json"), ("x-powered-by", "Hub")]
        )
        let (answer, decision) = try rules.roundTrip(ClientRequest(), response)
        #expect(answer.decision == "respond")
        #expect(decision.status == 203)
        #expect(decision.headers.values("x-powered-by").isEmpty)
        #expect(decision.headers.values("cache-control") == ["no-store"])
        #expect(decision.headers.values("x-checked") == ["200 Hub"])
        #expect(decision.headers.values("content-type") == ["application/json"])
        #expect(decision.body == #"{"owner":{"name":"Ann"},"user":"Ann"}"#)
        let raw = try json(String(buffer: answer.body))
        #expect(raw["response_status"]?.string == "NON-AUTHORITATIVE INFORMATION")

        let other = try rules.roundTrip(ClientRequest(), UpstreamResponse(body: #"{"owner":{}}"#))
        #expect(other.answer.decision == "pass")
    }

    @Test func respondCanReplaceTheWholeBody() throws {
        let rules = try MockRules.test(
            """
            response_rules:
              - respond: {body: "was {{response.body}}"}
            """
        )
        #expect(try rules.roundTrip(ClientRequest(), UpstreamResponse(body: "x")).decision.body == "was x")
    }

    @Test func denyReplacesTheUpstreamResponse() throws {
        let rules = try MockRules.test(
            """
            response_rules:
              - match: {status: 200}
                deny: {status: 404, body: {message: hidden}}
            """
        )
        let (answer, decision) = try rules.roundTrip(
            ClientRequest(),
            UpstreamResponse(body: "secret", headers: [("x-internal", "1")])
        )
        #expect(answer.decision == "deny")
        #expect(decision.status == 404)
        #expect(decision.body == #"{"message":"hidden"}"#)
        #expect(decision.headers.count == 1)
        #expect(decision.headers.values("content-type") == ["application/json"])
        #expect(try json(String(buffer: answer.body))["response_status"]?.string == "NOT FOUND")
    }

    /// The state round trip: response rules see the original request's headers and body, although the
    /// request phase modified them and the response payload carries neither.
    @Test func stateCarriesTheOriginalRequestToTheResponsePhase() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - allow:
                  remove_headers: [x-user]
                  body: {remove: [$.account]}
            response_rules:
              - match:
                  request:
                    method: POST
                    path: "/accounts/{id}"
                    headers: {x-user: "~^(?<user>.+)$"}
                    body: {$.account: acme}
                respond:
                  set_headers: {X-Seen: "{{captures.user}} {{captures.id}} {{request.body.$.account}} {{request.headers.x-user}}"}
            """
        )
        let request = ClientRequest("POST", "/accounts/7").header("x-user", "ann").body(#"{"account":"acme"}"#)
        let phase = try rules.requestPhase(request)
        let state = try #require(try phase.allowed().state)
        // The state is an opaque string: base64url of the original payload.
        let text = try #require(try json(String(buffer: state)).string)
        #expect(Base64URL.decode(text.utf8) == phase.payload)

        let (answer, decision) = try rules.responsePhase(UpstreamResponse(), after: phase)
        #expect(answer.decision == "respond")
        #expect(decision.headers.values("x-seen") == ["ann 7 acme ann"])
    }

    @Test func requestContextMethodRequestSendsNoStateAndReadsTheRequestObject() throws {
        let rules = try MockRules.test(
            """
            settings: {request_context_method: request}
            response_rules:
              - match: {request: {headers: {x-user: ann}}}
                respond: {set_headers: {X-User-Was: "{{request.headers.x-user}}"}}
            """
        )
        let phase = try rules.requestPhase(ClientRequest().header("x-user", "ann"))
        #expect(try phase.allowed().state == nil)
        let (answer, decision) = try rules.responsePhase(UpstreamResponse(), after: phase)
        #expect(answer.ruleName != "default")
        #expect(decision.headers.values("x-user-was") == ["ann"])
    }

    @Test func requestContextMethodNoneKnowsOnlyMethodAndURL() throws {
        let rules = try MockRules.test(
            """
            settings: {request_context_method: none}
            response_rules:
              - name: by-header
                match: {request: {headers: {x-user: ann}}}
                pass:
              - name: by-path
                match: {request: {method: GET, path: "/persons/{id}", query: {v: "2"}}}
                respond: {set_headers: {X-Id: "{{captures.id}}"}}
            """
        )
        let phase = try rules.requestPhase(ClientRequest("GET", "/persons/5", query: "v=2").header("x-user", "ann"))
        #expect(try phase.allowed().state == nil)
        // The gateway sends `request` back (no state came), but `none` ignores it.
        let (answer, decision) = try rules.responsePhase(UpstreamResponse(), after: phase)
        #expect(answer.ruleName == "by-path")
        #expect(decision.headers.values("x-id") == ["5"])
    }

    @Test func theStateMethodAlsoReadsARequestObjectWhenNoStateCameBack() throws {
        let rules = try MockRules.test(
            """
            response_rules:
              - match: {request: {headers: {x-user: ann}}}
                respond: {status: 299}
            """
        )
        let (payload, url) = ClientRequest().header("x-user", "ann").payload()
        var buffer = ByteBuffer()
        SidebandPayloadWriter.writeResponse(
            method: "GET",
            url: url,
            httpVersion: "1.1",
            statusCode: 200,
            headers: [(name: String, value: String)](),
            body: .empty,
            context: .request(payload),
            into: &buffer
        )
        #expect(try SidebandAnswerParser.parseResponseAnswer(rules.answerResponse(buffer).body).status == 299)
    }

    @Test func aForeignStateLeavesOnlyMethodAndURL() throws {
        let rules = try MockRules.test(
            """
            response_rules:
              - name: header
                match: {request: {headers: {x-user: {present: true}}}}
                pass:
              - name: path
                match: {request: {path: /homes}}
                pass:
            """
        )
        // A real PingAuthorize state (gzip, not ours).
        let payload =
            #"{"method":"GET","url":"https://api.example.com/homes","http_version":"1.1","response_code":200,"response_status":"OK","headers":[],"body":"","state":"H4sIAAAAAAAAAK1Ty5LaMBD8"}"#
        let answer = rules.answerResponse(ByteBuffer(string: payload))
        #expect(answer.status == 200)
        #expect(answer.ruleName == "path")
    }

    @Test func malformedResponsePayloadsGet400() throws {
        let rules = try MockRules.test("default: {response: pass}")
        for payload in [
            "{", #"{"method":"GET","url":"/"}"#, #"{"method":"GET","url":"/","response_code":"abc"}"#,
            #"{"url":"/","response_code":"200"}"#,
        ] {
            let answer = rules.answerResponse(ByteBuffer(string: payload))
            #expect(answer.status == 400, "\(payload)")
            #expect(try json(String(buffer: answer.body))["code"]?.string == "INVALID_REQUEST")
        }
    }
}
