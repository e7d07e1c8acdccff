import NIOCore
import SidebandProtocol
import Testing

@testable import MockPolicy

/// Request-phase outcomes: the answers' shapes (read back with the gateway's parser) and every change an
/// `allow` can make.
@Suite struct RequestOutcomeTests {
    @Test func anUnchangedAllowEchoesThePayloadByteForBytePlusState() throws {
        let rules = try MockRules.test("default: {request: allow}")
        let request = ClientRequest("POST", "/orders/17", query: "expand=items&expand=owner")
            .header("x-trace", "a").header("x-trace", "b").body(#"{"qty":2}"#)
        let phase = try rules.requestPhase(request)
        #expect(phase.answer.decision == "allow")
        #expect(phase.answer.ruleName == "default")
        #expect(phase.answer.summary == "POST https://api.example.com:443/orders/17?expand=items&expand=owner")
        let answer = String(buffer: phase.answer.body)
        let payload = String(buffer: phase.payload)
        #expect(answer.hasPrefix(String(payload.dropLast()) + #","state":""#))
        #expect(try phase.changes().isEmpty)
        let allowed = try phase.allowed()
        #expect(allowed.sourcePort == 51722)
        // PingAuthorize's state is a string.
        #expect(allowed.state?.readableBytesView.first == UInt8(ascii: "\""))
    }

    @Test func theDefaultDenyIsPingAuthorizesErrorBodyInsideA200() throws {
        let rules = try MockRules.test("default: {request: deny}")
        let phase = try rules.requestPhase(ClientRequest())
        #expect(phase.answer.status == 200)
        #expect(phase.answer.decision == "deny")
        let deny = try phase.denied()
        #expect(deny.status == 403)
        #expect(deny.body == #"{"errorMessage":"Access Denied","status":403}"#)
        #expect(deny.headers.values("content-type") == ["application/json"])
        let raw = try json(String(buffer: phase.answer.body))
        #expect(raw["response"]?["response_code"]?.string == "403")
        #expect(raw["response"]?["response_status"]?.string == "FORBIDDEN")
    }

    @Test func denyWithStatusHeadersAndAJSONBodyWrittenAsYAML() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - match: {path: "/persons/{id}"}
                deny:
                  status: 451
                  headers: {X-Reason: legal, Link: "</p/{{captures.id}}>"}
                  body:
                    status: 451
                    message: "person {{captures.id}} is restricted"
                    detail: {ids: ["{{captures.id}}"], final: true, weight: 1.5, none: null}
            """
        )
        let deny = try rules.requestPhase(ClientRequest("GET", "/persons/9")).denied()
        #expect(deny.status == 451)
        #expect(deny.headers.values("x-reason") == ["legal"])
        #expect(deny.headers.values("link") == ["</p/9>"])
        #expect(deny.headers.values("content-type") == ["application/json"])
        #expect(
            deny.body
                == #"{"status":451,"message":"person 9 is restricted","detail":{"ids":["9"],"final":true,"weight":1.5,"none":null}}"#
        )
    }

    @Test func aTextDenyBodyIsPlainTextUnlessTheRuleSaysOtherwise() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - match: {path: /text}
                deny: {status: 401, body: go away}
              - match: {path: /typed}
                deny: {body: "<p>no</p>", headers: {content-type: text/html}}
            """
        )
        let text = try rules.requestPhase(ClientRequest("GET", "/text")).denied()
        #expect(text.status == 401)
        #expect(text.body == "go away")
        #expect(text.headers.values("content-type") == ["text/plain; charset=utf-8"])
        let typed = try rules.requestPhase(ClientRequest("GET", "/typed")).denied()
        #expect(typed.headers.values("content-type") == ["text/html"])
    }

    @Test func headerChangesRemoveThenSetThenAdd() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - allow:
                  remove_headers: [X-App-Id, authorization]
                  set_headers: {x-trace: [one, two], SH-USER: u-1}
                  add_headers: {X-Policy: modified, accept: text/plain}
            """
        )
        let request = ClientRequest().header("authorization", "Bearer t").header("x-app-id", "a")
            .header("x-trace", "a").header("x-trace", "b").header("accept", "*/*")
        let phase = try rules.requestPhase(request)
        #expect(phase.answer.decision == "modify")
        let allowed = try phase.allowed()
        let headers = try #require(allowed.headers)
        #expect(headers.values("authorization").isEmpty)
        #expect(headers.values("x-app-id").isEmpty)
        #expect(headers.values("x-trace") == ["one", "two"])
        #expect(headers.values("sh-user") == ["u-1"])
        #expect(headers.values("accept") == ["*/*", "text/plain"])
        #expect(headers.values("x-policy") == ["modified"])
        // Names set by a rule keep the case written.
        #expect(headers.contains { $0.name == "SH-USER" })
        let changes = try phase.changes()
        #expect(changes.removeHeaders.sorted() == ["authorization", "x-app-id"])
        #expect(changes.setValues("accept") == ["*/*", "text/plain"])
    }

    @Test func methodPathAndWholeQueryRewrite() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - match: {path: "/v1/{rest}"}
                allow:
                  method: POST
                  path: "/v2/{{captures.rest}}"
                  query: "source=mock&was={{request.method | lower}}"
            """
        )
        let phase = try rules.requestPhase(ClientRequest("GET", "/v1/items", query: "a=1"))
        let allowed = try phase.allowed()
        #expect(allowed.url == "https://api.example.com:443/v2/items?source=mock&was=get")
        let changes = try phase.changes()
        #expect(changes.method == "POST")
        #expect(changes.path == "/v2/items")
        #expect(changes.query == .some("source=mock&was=get"))
        #expect(changes.hostHeader == nil)
    }

    @Test func anEmptyQueryStringRemovesTheQuery() throws {
        let rules = try MockRules.test("request_rules:\n  - allow: {query: \"\"}\n")
        let changes = try rules.requestPhase(ClientRequest("GET", "/p", query: "a=1")).changes()
        #expect(changes.query == .some(nil))
    }

    @Test func queryEditsKeepUntouchedPairsAndEncodeSetValues() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - allow:
                  query:
                    remove: [operator]
                    set: {name: "{{request.query.name | upper}}", filter: 'name co "{{request.query.name}}"'}
            """
        )
        let phase = try rules.requestPhase(ClientRequest("GET", "/p", query: "keep=%41+b&name=jo+e&operator=co&name=x"))
        let changes = try phase.changes()
        #expect(changes.query == .some("keep=%41+b&name=JO%20E&filter=name%20co%20%22jo%20e%22"))
    }

    @Test func bodyEditsRemoveThenSetWithTypedValues() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - allow:
                  body:
                    remove: [$.audit, "$.items[0]"]
                    set:
                      $.owner.id: "{{request.headers.x-user}}"
                      $.count: 3
                      $.copy: "{{request.body.$.meta}}"
                      $.tags[0]: new
            """
        )
        let request = ClientRequest("POST", "/o").header("x-user", "u7")
            .body(#"{"audit":{"by":"x"},"items":[1,2],"meta":{"n":1},"tags":[]}"#)
        let changes = try rules.requestPhase(request).changes()
        #expect(
            changes.body == #"{"items":[2],"meta":{"n":1},"tags":["new"],"owner":{"id":"u7"},"count":3,"copy":{"n":1}}"#
        )
    }

    @Test func bodyEditsLeaveANonJSONBodyAloneAndStartAnEmptyOneAsAnObject() throws {
        let rules = try MockRules.test("request_rules:\n  - allow: {body: {set: {$.a: 1}}}\n")
        #expect(try rules.requestPhase(ClientRequest("POST").body("plain text")).changes().body == nil)
        let empty = try rules.requestPhase(ClientRequest("POST")).allowed()
        #expect(empty.body == .some(#"{"a":1}"#))
    }

    @Test func wholeBodyReplacementAsTextOrJSON() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - match: {path: /text}
                allow: {body: "hello {{request.body.$.name}}"}
              - match: {path: /json}
                allow: {body: {replace: {wrapped: "{{request.body.$}}", by: mock}}}
            """
        )
        let text = try rules.requestPhase(ClientRequest("POST", "/text").body(#"{"name":"Ann"}"#)).changes()
        #expect(text.body == "hello Ann")
        let wrapped = try rules.requestPhase(ClientRequest("POST", "/json").body(#"{"a":[1]}"#)).changes()
        #expect(wrapped.body == #"{"wrapped":{"a":[1]},"by":"mock"}"#)
    }

    @Test func templatesReadRequestFieldsTokensAndFilters() throws {
        let rules = try MockRules.test(
            #"""
            request_rules:
              - match:
                  headers: {authorization: "~^Bearer (?<token>.+)$"}
                allow:
                  set_headers:
                    X-Sub: "{{captures.token.$.sub}}"
                    X-Missing: "[{{captures.token.$.nope}}]"
                    X-Info: "{{request.method}} {{request.host}} {{request.path}} {{request.query}} {{request.source_ip}}"
                    X-Param: "{{request.query.q | urlencode}}"
                    X-Json: "{{request.headers.x-quote | json}}"
                    X-Url: "{{request.url}}"
            """#
        )
        // A JWT whose payload is {"sub":"jwt-user"}.
        let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJqd3QtdXNlciJ9.c2ln"
        let request = ClientRequest("GET", "/p", query: "q=a+b").header("authorization", "Bearer \(jwt)")
            .header("x-quote", #"say "hi""#)
        let changes = try rules.requestPhase(request).changes()
        #expect(changes.setValues("x-sub") == ["jwt-user"])
        #expect(changes.setValues("x-missing") == ["[]"])
        #expect(changes.setValues("x-info") == ["GET api.example.com /p q=a+b 203.0.113.24"])
        #expect(changes.setValues("x-param") == ["a%20b"])
        #expect(changes.setValues("x-json") == [#"say \"hi\""#])
        #expect(changes.setValues("x-url") == ["https://api.example.com:443/p?q=a+b"])

        let json = ClientRequest().header("authorization", #"Bearer {"active":true,"sub":"json-user"}"#)
        #expect(try rules.requestPhase(json).changes().setValues("x-sub") == ["json-user"])
    }

    /// A body field may hold a line break; copied into a header it would make the gateway refuse the whole
    /// answer, so it becomes a space.
    @Test func renderedHeaderValuesNeverContainLineBreaks() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - allow: {set_headers: {X-Note: "{{request.body.$.note}}"}}
            """
        )
        let phase = try rules.requestPhase(ClientRequest("POST").body(#"{"note":"a\r\nb"}"#))
        #expect(try phase.changes().setValues("x-note") == ["a  b"])
    }

    @Test func latencyAndFaultsComeWithTheAnswer() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - name: slow
                match: {path: /slow}
                latency_ms: 250
                allow:
              - name: unavailable
                match: {path: /503}
                fault: {status: 503, body: {message: down}}
              - name: limited
                match: {path: /429}
                fault: {rate_limit: {retry_after: 2}}
              - name: limited-date
                match: {path: /429-date}
                fault: {rate_limit: {retry_after: "Wed, 21 Oct 2015 07:28:00 GMT"}}
              - name: garbage
                match: {path: /garbage}
                fault: garbage
              - name: drop
                match: {path: /drop}
                fault: drop
                deny:
            """
        )
        func answer(_ path: String) -> MockAnswer { rules.answerRequest(ClientRequest("GET", path).payload().payload) }
        #expect(answer("/slow").latencyMs == 250)
        #expect(answer("/slow").fault == nil)
        #expect(answer("/other").latencyMs == nil)
        #expect(answer("/503").fault == .status(503, body: #"{"message":"down"}"#))
        #expect(answer("/503").decision == "allow")
        #expect(answer("/429").fault == .rateLimit(retryAfter: "2"))
        #expect(answer("/429-date").fault == .rateLimit(retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT"))
        #expect(answer("/garbage").fault == .garbage)
        #expect(answer("/drop").fault == .dropConnection)
        #expect(answer("/drop").decision == "deny")
    }

    @Test func malformedPayloadsGet400WithAJSONMessage() throws {
        let rules = try MockRules.test("default: {request: allow}")
        for payload in [
            "not json", "[1,2]", #"{"url":"http://h:80/"}"#, #"{"method":"GET"}"#,
            #"{"method":"GET","url":"http://h/","headers":{"a":"b"}}"#,
            #"{"method":"GET","url":"http://h/","headers":[{"a":1}]}"#,
            #"{"method":"GET","url":"http://h/","body":{}}"#,
        ] {
            let answer = rules.answerRequest(ByteBuffer(string: payload))
            #expect(answer.status == 400, "\(payload)")
            #expect(answer.decision == "error")
            let body = try json(String(buffer: answer.body))
            #expect(body["code"]?.string == "INVALID_REQUEST")
            #expect(body["message"]?.string?.isEmpty == false)
            #expect(body["id"]?.string?.count == 36)
        }
    }
}
