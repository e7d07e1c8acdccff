import NIOCore
import SidebandProtocol
import Testing

@testable import MockPolicy

/// Every request condition, driven through `answerRequest` with gateway-written payloads. Each rule set
/// denies what it matches and allows the rest, so the rule that decided tells which condition held.
@Suite struct RequestMatcherTests {
    /// Rules whose first rule denies with `match`; everything else falls to the default allow.
    private func denying(_ match: String) throws -> MockRules {
        let indented = match.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n")
        return try MockRules.test("request_rules:\n  - name: hit\n    match:\n" + indented + "\n    deny:\n")
    }

    private func ruleName(_ rules: MockRules, _ request: ClientRequest, sourceIP: String? = nil) throws -> String {
        try rules.requestPhase(request, sourceIP: sourceIP).answer.ruleName
    }

    @Test func methodMatchesOneOrAnyOfAList() throws {
        let one = try self.denying("method: POST")
        #expect(try self.ruleName(one, ClientRequest("POST")) == "hit")
        #expect(try self.ruleName(one, ClientRequest("GET")) == "default")
        let list = try self.denying("method: [put, DELETE]")
        #expect(try self.ruleName(list, ClientRequest("PUT")) == "hit")
        #expect(try self.ruleName(list, ClientRequest("DELETE")) == "hit")
        #expect(try self.ruleName(list, ClientRequest("PATCH")) == "default")
    }

    @Test func pathExactStarAndDoubleStar() throws {
        let exact = try self.denying("path: /persons")
        #expect(try self.ruleName(exact, ClientRequest("GET", "/persons")) == "hit")
        #expect(try self.ruleName(exact, ClientRequest("GET", "/persons/1")) == "default")

        let star = try self.denying("path: /persons/*")
        #expect(try self.ruleName(star, ClientRequest("GET", "/persons/7")) == "hit")
        #expect(try self.ruleName(star, ClientRequest("GET", "/persons/7/cars")) == "default")

        let doubleStar = try self.denying("path: /demo/admin**")
        #expect(try self.ruleName(doubleStar, ClientRequest("GET", "/demo/admin")) == "hit")
        #expect(try self.ruleName(doubleStar, ClientRequest("GET", "/demo/admin/users/1")) == "hit")
        #expect(try self.ruleName(doubleStar, ClientRequest("GET", "/demo/hello")) == "default")
    }

    @Test func pathCaptureTakesOneSegment() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - match: {path: "/persons/{id}/cars/{car}"}
                allow:
                  set_headers: {X-Person: "{{captures.id}}", X-Car: "{{captures.car}}"}
            """
        )
        let changes = try rules.requestPhase(ClientRequest("GET", "/persons/42/cars/c-9")).changes()
        #expect(changes.setValues("x-person") == ["42"])
        #expect(changes.setValues("x-car") == ["c-9"])
        // An empty segment is not a capture.
        #expect(try rules.requestPhase(ClientRequest("GET", "/persons//cars/c-9")).answer.ruleName == "default")
    }

    @Test func pathRegexWithNamedCapture() throws {
        let rules = try MockRules.test(
            #"""
            request_rules:
              - match: {path: '~^/persons/(?<id>\d+)$'}
                deny: {status: 404, body: "no person {{captures.id}}"}
            """#
        )
        let deny = try rules.requestPhase(ClientRequest("GET", "/persons/123")).denied()
        #expect(deny.status == 404)
        #expect(deny.body == "no person 123")
        #expect(try rules.requestPhase(ClientRequest("GET", "/persons/abc")).answer.ruleName == "default")
    }

    @Test func pathListMatchesAny() throws {
        let rules = try self.denying("path: [/a, /b/*]")
        #expect(try self.ruleName(rules, ClientRequest("GET", "/a")) == "hit")
        #expect(try self.ruleName(rules, ClientRequest("GET", "/b/x")) == "hit")
        #expect(try self.ruleName(rules, ClientRequest("GET", "/c")) == "default")
    }

    @Test func hostIsComparedWithoutPortAndCase() throws {
        let rules = try self.denying(#"host: "*.Example.com""#)
        var request = ClientRequest()
        request.host = "api.example.com"
        request.port = 8443
        #expect(try self.ruleName(rules, request) == "hit")
        request.host = "example.org"
        #expect(try self.ruleName(rules, request) == "default")
    }

    @Test func headerExactGlobRegexAndPresence() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - name: exact
                match: {headers: {X-Mode: strict}}
                deny:
              - name: glob
                match: {headers: {content-type: "application/json*"}}
                deny:
              - name: regex
                match: {headers: {authorization: "~^Basic "}}
                deny:
              - name: absent
                match: {headers: {x-app-id: {present: false}}}
                deny:
            """
        )
        let base = ClientRequest().header("x-app-id", "app")
        #expect(try self.ruleName(rules, base.header("x-mode", "strict")) == "exact")
        #expect(try self.ruleName(rules, base.header("x-mode", "STRICT")) == "default")
        #expect(try self.ruleName(rules, base.header("content-type", "application/json; charset=utf-8")) == "glob")
        #expect(try self.ruleName(rules, base.header("authorization", "Basic eA==")) == "regex")
        #expect(try self.ruleName(rules, ClientRequest()) == "absent")
        #expect(try self.ruleName(rules, base) == "default")
    }

    @Test func repeatedHeaderMatchesWhenAnyValueDoes() throws {
        let rules = try self.denying("headers: {x-trace: b}")
        #expect(try self.ruleName(rules, ClientRequest().header("x-trace", "a").header("x-trace", "b")) == "hit")
    }

    @Test func headerMappingFormsCombine() throws {
        let rules = try self.denying(#"headers: {x-v: {equals: "a*", regex: "^z"}}"#)
        #expect(try self.ruleName(rules, ClientRequest().header("x-v", "a*")) == "hit")
        #expect(try self.ruleName(rules, ClientRequest().header("x-v", "abc")) == "default")
        #expect(try self.ruleName(rules, ClientRequest().header("x-v", "zed")) == "hit")
    }

    @Test func queryParametersAreComparedDecoded() throws {
        let rules = try self.denying(
            """
            query:
              name: "J* Smith"
              operator: [contains, co]
              debug: {present: false}
            """
        )
        #expect(try self.ruleName(rules, ClientRequest("GET", "/p", query: "name=John+Smith&operator=co")) == "hit")
        #expect(
            try self.ruleName(rules, ClientRequest("GET", "/p", query: "name=Jo%20Smith&operator=contains")) == "hit"
        )
        #expect(
            try self.ruleName(rules, ClientRequest("GET", "/p", query: "name=John+Smith&operator=co&debug"))
                == "default"
        )
        #expect(try self.ruleName(rules, ClientRequest("GET", "/p", query: "name=Ann&operator=co")) == "default")
        #expect(try self.ruleName(rules, ClientRequest("GET", "/p")) == "default")
    }

    @Test func bodyFieldsByPathTypeAndPattern() throws {
        let rules = try self.denying(
            """
            body:
              $.order.qty: 2
              $.items[1].sku: "AB-*"
              $.express: true
              note: {exists: false}
            """
        )
        let hit = #"{"order":{"qty":2.0},"items":[{"sku":"x"},{"sku":"AB-7"}],"express":true}"#
        #expect(try self.ruleName(rules, ClientRequest("POST", "/o").body(hit)) == "hit")
        let stringQuantity = #"{"order":{"qty":"2"},"items":[{"sku":"x"},{"sku":"AB-7"}],"express":true}"#
        #expect(try self.ruleName(rules, ClientRequest("POST", "/o").body(stringQuantity)) == "default")
        let withNote = #"{"order":{"qty":2},"items":[{},{"sku":"AB-1"}],"express":true,"note":null}"#
        #expect(try self.ruleName(rules, ClientRequest("POST", "/o").body(withNote)) == "default")
        #expect(try self.ruleName(rules, ClientRequest("POST", "/o").body("not json")) == "default")
    }

    @Test func bodyTextEqualityRegexContainsAndAnyOf() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - name: id-text
                match: {body: {$.id: "42"}}
                deny:
              - name: regex
                match: {body: {$.email: {regex: "@example\\\\.com$"}}}
                deny:
              - name: contains
                match: {body: {$.roles: {contains: admin}}}
                deny:
              - name: any
                match: {body: {$.state: [open, pending]}}
                deny:
            """
        )
        #expect(try self.ruleName(rules, ClientRequest("POST").body(#"{"id":42}"#)) == "id-text")
        #expect(try self.ruleName(rules, ClientRequest("POST").body(#"{"email":"a@example.com"}"#)) == "regex")
        #expect(try self.ruleName(rules, ClientRequest("POST").body(#"{"email":"a@example.org"}"#)) == "default")
        #expect(try self.ruleName(rules, ClientRequest("POST").body(#"{"roles":["user","admin"]}"#)) == "contains")
        #expect(try self.ruleName(rules, ClientRequest("POST").body(#"{"state":"pending"}"#)) == "any")
        #expect(try self.ruleName(rules, ClientRequest("POST").body(#"{"state":"closed"}"#)) == "default")
    }

    @Test func sourceIPAddressesAndBlocks() throws {
        let rules = try self.denying("source_ip: [10.0.0.0/8, 2001:db8::/32, 192.0.2.7]")
        var request = ClientRequest()
        for (address, expected) in [
            ("10.1.2.3", "hit"), ("::ffff:10.9.9.9", "hit"), ("2001:db8:1::5", "hit"), ("192.0.2.7", "hit"),
            ("192.0.2.8", "default"), ("11.0.0.1", "default"), ("2001:db9::1", "default"),
        ] {
            request.sourceIP = address
            #expect(try self.ruleName(rules, request) == expected, "\(address)")
        }
    }

    @Test func sourceIPFallsBackToTheCallersAddressWhenThePayloadHasNone() throws {
        let rules = try self.denying("source_ip: 127.0.0.1")
        let payload = ByteBuffer(string: #"{"method":"GET","url":"http://h:80/","headers":[]}"#)
        #expect(rules.answerRequest(payload, sourceIP: "127.0.0.1").ruleName == "hit")
        #expect(rules.answerRequest(payload, sourceIP: "127.0.0.2").ruleName == "default")
        #expect(rules.answerRequest(payload).ruleName == "default")
    }

    @Test func clientCertificatePresence() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - name: with-cert
                match: {client_certificate: true}
                deny:
              - name: without-cert
                match: {client_certificate: false}
                deny:
            """
        )
        var request = ClientRequest()
        #expect(try self.ruleName(rules, request) == "without-cert")
        request.clientCertificate = #"{"kty":"EC","crv":"P-256","x":"a","y":"b","x5c":["MIIB"]}"#
        #expect(try self.ruleName(rules, request) == "with-cert")
    }

    @Test func captureConditionsFilterCapturedValues() throws {
        let rules = try self.denying(
            """
            path: /persons/{id}
            captures: {id: ["13", "666"]}
            """
        )
        #expect(try self.ruleName(rules, ClientRequest("GET", "/persons/13")) == "hit")
        #expect(try self.ruleName(rules, ClientRequest("GET", "/persons/14")) == "default")
    }

    @Test func everyConditionOfAMatchMustHold() throws {
        let rules = try self.denying(
            """
            method: GET
            path: /x
            headers: {x-a: "1"}
            """
        )
        #expect(try self.ruleName(rules, ClientRequest("GET", "/x").header("x-a", "1")) == "hit")
        #expect(try self.ruleName(rules, ClientRequest("GET", "/x")) == "default")
        #expect(try self.ruleName(rules, ClientRequest("POST", "/x").header("x-a", "1")) == "default")
    }

    @Test func theFirstMatchingRuleWins() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - name: specific
                match: {path: /a/b}
                deny: {status: 404}
              - name: general
                match: {path: /a/**}
                deny: {status: 403}
              - name: everything
                allow:
            """
        )
        #expect(try rules.requestPhase(ClientRequest("GET", "/a/b")).denied().status == 404)
        #expect(try rules.requestPhase(ClientRequest("GET", "/a/c")).denied().status == 403)
        #expect(try rules.requestPhase(ClientRequest("GET", "/z")).answer.ruleName == "everything")
    }

    @Test func aRuleWhoseLaterConditionFailsFallsThroughToTheNext() throws {
        let rules = try MockRules.test(
            """
            request_rules:
              - match:
                  path: /u/{id}
                  headers: {x-never: {present: true}}
                deny:
              - match: {path: "/u/*"}
                allow:
                  set_headers: {X-Path: "{{request.path}}"}
            """
        )
        let changes = try rules.requestPhase(ClientRequest("GET", "/u/5")).changes()
        #expect(changes.setValues("x-path") == ["/u/5"])
    }
}
