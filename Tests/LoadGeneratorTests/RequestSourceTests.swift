import Foundation
import LoadGenerator
import SidebandClient
import NIOCore
import NIOHTTP1
import Testing

/// What the sources put on the wire and how they judge answers, without sockets.
@Suite struct RequestSourceTests {
    // MARK: - http

    @Test func theHTTPSourceAddsHostAgentAndAnExactLength() throws {
        let url = try #require(TargetURL("http://127.0.0.1:8000/orders?id=1"))
        let source = HTTPRequestSource(
            url: url,
            method: "POST",
            headers: [("Content-Length", "999"), ("X-Trace", "a"), ("Transfer-Encoding", "chunked")],
            body: ByteBuffer(string: "{\"a\":1}")
        )
        let request = source.firstRequest()
        #expect(request.head.method == .POST)
        #expect(request.head.uri == "/orders?id=1")
        #expect(request.head.headers["host"] == ["127.0.0.1:8000"])
        #expect(request.head.headers["user-agent"] == ["ping-auth-proxy-bench"])
        #expect(request.head.headers["content-length"] == ["7"])
        #expect(request.head.headers["transfer-encoding"].isEmpty)
        #expect(request.head.headers["x-trace"] == ["a"])
        #expect(request.body.map { String(buffer: $0) } == "{\"a\":1}")

        let get = HTTPRequestSource(url: url, method: "GET", headers: [("Host", "gateway.example")], body: nil)
        #expect(get.firstRequest().head.headers["host"] == ["gateway.example"])
        #expect(get.firstRequest().head.headers["content-length"].isEmpty)
        #expect(get.firstRequest().body == nil)
    }

    @Test func theHTTPSourceSucceedsOn2xxOnly() {
        let source = HTTPRequestSource(url: TargetURL("http://h/")!, method: "GET", headers: [], body: nil)
        for (status, succeeded) in [(200, true), (204, true), (299, true), (301, false), (404, false), (503, false)] {
            guard case .done(let result) = source.next(afterStep: 0, status: status, body: ByteBuffer()) else {
                Issue.record("status \(status) did not end the request")
                continue
            }
            #expect(result == succeeded, "status \(status)")
        }
    }

    // MARK: - sideband

    static func source(
        responsePhase: Bool = true,
        base: String = "http://127.0.0.1:9100/paz/"
    ) -> SidebandRequestSource {
        SidebandRequestSource(
            endpoint: SidebandEndpoint(serviceURL: base)!,
            template: .synthetic,
            secretHeaderName: "CLIENT-TOKEN",
            sharedSecret: "s3cret",
            responsePhase: responsePhase
        )
    }

    @Test func targetsAndHostAreTheGatewaysForAnyServiceURL() {
        // The gateway's SidebandEndpoint decides: one `/` between prefix and `/sideband`, the query kept,
        // `Host` always with the port (as the plugin sent it).
        let prefixed = Self.source(base: "http://paz.example/tenant-a?x=1").firstRequest().head
        #expect(prefixed.uri == "/tenant-a/sideband/request?x=1")
        #expect(prefixed.headers["host"] == ["paz.example:80"])
        let bare = Self.source(base: "https://[::1]:8443/").firstRequest().head
        #expect(bare.uri == "/sideband/request")
        #expect(bare.headers["host"] == ["[::1]:8443"])
    }

    @Test func theRequestPhaseIsTheGatewaysPayloadPostedUnderTheBasePath() throws {
        let request = Self.source().firstRequest()
        #expect(request.head.method == .POST)
        #expect(request.head.uri == "/paz/sideband/request")
        #expect(request.head.headers["client-token"] == ["s3cret"])
        #expect(request.head.headers["content-type"] == ["application/json"])
        #expect(request.head.headers["host"] == ["127.0.0.1:9100"])
        let body = try #require(request.body)
        #expect(request.head.headers["content-length"] == [String(body.readableBytes)])

        let payload = try Self.json(body)
        #expect(payload["method"] as? String == "GET")
        #expect(payload["url"] as? String == "https://bench.example:443/anything")
        #expect(payload["http_version"] as? String == "1.1")
        #expect(payload["source_ip"] as? String == "203.0.113.10")
        #expect(payload["body"] as? String == "")
        let headers = try #require(payload["headers"] as? [[String: String]])
        #expect(headers.first == ["host": "bench.example"])
        #expect(headers.contains(["authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJiZW5jaCJ9."]))
    }

    @Test func anAllowWithStateGoesOnWithTheResponsePhaseCarryingThatState() throws {
        let source = Self.source()
        let answer = #"{"method":"GET","url":"https://bench.example:443/anything","state":{"id":[1,2]}}"#
        guard case .send(let call) = source.next(afterStep: 0, status: 200, body: ByteBuffer(string: answer)) else {
            Issue.record("an allow did not go on to the response phase")
            return
        }
        #expect(call.head.uri == "/paz/sideband/response")
        #expect(call.head.headers["client-token"] == ["s3cret"])
        let text = String(buffer: try #require(call.body))
        #expect(text.contains(#","state":{"id":[1,2]}}"#))
        #expect(!text.contains(#""request":"#))
        let payload = try Self.json(try #require(call.body))
        #expect(payload["method"] as? String == "GET")
        #expect(payload["url"] as? String == "https://bench.example:443/anything")
        #expect(payload["response_code"] as? String == "200")
        #expect(payload["response_status"] as? String == "OK")
        #expect(payload["body"] as? String == #"{"ok":true}"#)
    }

    @Test func anAllowWithoutStateEchoesTheWholeRequestPayload() throws {
        let source = Self.source()
        let answer = #"{"method":"GET","url":"https://bench.example:443/anything"}"#
        guard case .send(let call) = source.next(afterStep: 0, status: 200, body: ByteBuffer(string: answer)) else {
            Issue.record("an allow did not go on to the response phase")
            return
        }
        let payload = try Self.json(try #require(call.body))
        let request = try #require(payload["request"] as? [String: Any])
        #expect(request["url"] as? String == "https://bench.example:443/anything")
        #expect(payload["state"] == nil)
        #expect(String(buffer: call.body!).contains(#""request":"# + source.requestPayloadText + "}"))
    }

    @Test func theSidebandSourceJudgesAnswersAsTheGatewayWould() {
        let source = Self.source()
        let allow = ByteBuffer(string: #"{"method":"GET","url":"https://bench.example:443/anything"}"#)
        let deny = ByteBuffer(string: #"{"response":{"response_code":"403","body":"no"}}"#)
        let finalAnswer = ByteBuffer(string: #"{"response_code":"200","headers":[],"body":"{}"}"#)

        #expect(Self.outcome(source.next(afterStep: 0, status: 200, body: deny)) == true)
        #expect(Self.outcome(source.next(afterStep: 0, status: 500, body: allow)) == false)
        #expect(Self.outcome(source.next(afterStep: 0, status: 401, body: ByteBuffer())) == false)
        #expect(Self.outcome(source.next(afterStep: 0, status: 200, body: ByteBuffer(string: "<html>"))) == false)
        let notAnObject = ByteBuffer(string: #"{"response":1}"#)
        #expect(Self.outcome(source.next(afterStep: 0, status: 200, body: notAnObject)) == false)
        #expect(Self.outcome(source.next(afterStep: 1, status: 200, body: finalAnswer)) == true)
        #expect(Self.outcome(source.next(afterStep: 1, status: 200, body: ByteBuffer(string: "{}"))) == false)
        #expect(Self.outcome(source.next(afterStep: 1, status: 502, body: finalAnswer)) == false)

        let requestOnly = Self.source(responsePhase: false)
        #expect(Self.outcome(requestOnly.next(afterStep: 0, status: 200, body: allow)) == true)
    }

    @Test func noSecretMeansNoSecretHeader() {
        let source = SidebandRequestSource(
            endpoint: SidebandEndpoint(serviceURL: "http://127.0.0.1:9100")!,
            template: .synthetic,
            secretHeaderName: "CLIENT-TOKEN",
            sharedSecret: nil,
            responsePhase: false
        )
        #expect(source.firstRequest().head.headers["client-token"].isEmpty)
        #expect(source.firstRequest().head.uri == "/sideband/request")
    }

    // MARK: - Templates

    @Test func aTemplateKeepsHeaderOrderAndAddsAMissingHost() throws {
        let template = try RequestTemplate.decode(
            Data(
                #"""
                {"method":"PUT","url":"http://api.example.com:8080/v1/items/7?dry=1",
                 "headers":[{"x-b":"2"},{"x-a":["1","3"]}],"body":"{\"n\":1}","source_port":4242,
                 "http_version":"1.0","response":{"status":204,"headers":{"x-up":"yes"}}}
                """#.utf8
            )
        )
        #expect(template.method == "PUT")
        #expect(template.url.port == 8080)
        #expect(template.headers.map(\.name) == ["host", "x-b", "x-a", "x-a"])
        #expect(template.headers.first?.value == "api.example.com:8080")
        #expect(template.headers.map(\.value).suffix(2) == ["1", "3"])
        #expect(template.body == #"{"n":1}"#)
        #expect(template.sourcePort == 4242)
        #expect(template.httpVersion == "1.0")
        #expect(template.response.status == 204)
        #expect(template.response.headers.contains(RequestTemplate.Header("x-up", "yes")))
        #expect(template.response.headers.contains(RequestTemplate.Header("content-length", "0")))
    }

    @Test func aTemplateRefusesUnknownKeysAndBadValues() {
        let cases: [(String, String)] = [
            (#"{"url":"https://h/","metod":"GET"}"#, "metod"),
            (#"{"method":"GET"}"#, "url"),
            (#"{"url":"not a url"}"#, "url"),
            (#"{"url":"https://h/","method":"G T"}"#, "method"),
            (#"{"url":"https://h/","http_version":"2"}"#, "http_version"),
            (#"{"url":"https://h/","source_port":70000}"#, "source_port"),
            (#"{"url":"https://h/","response":{"status":42}}"#, "response.status"),
            (#"{"url":"https://h/","response":{"code":200}}"#, "response.code"),
            (#"{"url":"https://h/","headers":[{"bad name":"x"}]}"#, "headers"),
        ]
        for (text, mention) in cases {
            do {
                _ = try RequestTemplate.decode(Data(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.message.contains(mention), "\(text): \(error.message)")
            }
        }
    }

    @Test func theExampleTemplateInConfigIsValid() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/bench/request-template.json").path
        let template = try RequestTemplate.load(path: path)
        #expect(template.method == "POST")
        #expect(template.response.status == 201)
        let source = SidebandRequestSource(
            endpoint: SidebandEndpoint(serviceURL: "http://127.0.0.1:9100")!,
            template: template,
            secretHeaderName: "CLIENT-TOKEN",
            sharedSecret: nil,
            responsePhase: true
        )
        let payload = try Self.json(try #require(source.firstRequest().body))
        #expect(payload["url"] as? String == "https://api.example.com:443/orders?expand=items")
        #expect((payload["body"] as? String)?.contains("BOOK-1") == true)
    }

    // MARK: - Helpers

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        return try #require(object as? [String: Any])
    }

    static func outcome(_ step: BenchStep) -> Bool? {
        if case .done(let succeeded) = step { return succeeded }
        return nil
    }
}
