import Foundation
import NIOCore
import Testing

@testable import SidebandProtocol

@Suite struct RequestDiffTests {
    static let sentHeaders: HeaderList = [
        ("Host", "api.example.com"), ("X-Trace", "a"), ("x-trace", "b"), ("Accept", "*/*"),
        ("Content-Length", "4"), ("X_Hidden", "never sent"),
    ]

    func changes(
        headers: HeaderList = Self.sentHeaders,
        path: String = "/orders/17",
        query: Substring? = "a=1",
        body: SidebandBody = .bytes(ByteBuffer(string: "body")),
        answer: AllowedRequest
    ) -> RequestChanges {
        RequestDiff.changes(
            sentHeaders: headers,
            sentMethod: "POST",
            sentScheme: "https",
            sentHost: "api.example.com",
            sentPort: 443,
            sentPath: path,
            sentQuery: query,
            sentBody: body,
            answer: answer
        )
    }

    static let echoedHeaders: HeaderList = [
        ("host", "api.example.com"), ("x-trace", "a"), ("x-trace", "b"), ("accept", "*/*"), ("content-length", "4"),
    ]

    /// The answer the provider gives when it changes nothing.
    static let echo = AllowedRequest(
        headers: echoedHeaders,
        method: "POST",
        url: "https://api.example.com:443/orders/17?a=1",
        body: "body"
    )

    @Test func anUnchangedEchoChangesNothing() {
        #expect(changes(answer: Self.echo).isEmpty)
    }

    @Test func headerNameCaseAndOrderBetweenNamesDoNotMatter() {
        var answer = Self.echo
        answer.headers = [("ACCEPT", "*/*"), ("X-Trace", "a"), ("Host", "api.example.com"), ("X-TRACE", "b")]
        #expect(changes(answer: answer).isEmpty)
    }

    static func same(_ sent: HeaderList, _ answer: HeaderList) -> Bool {
        RequestDiff.sameLines(sent: sent, answer: answer)
    }

    @Test func theInOrderEchoCheckComparesNamesWithoutCaseAndValuesExactly() {
        #expect(RequestDiff.sameLines(sent: Self.sentHeaders, answer: Self.echoedHeaders))
        #expect(Self.same([("X-A", "1")], [("x-a", "1")]))
        #expect(!Self.same([("X-A", "1")], [("x-a", "2")]))
        #expect(!Self.same([("X-A", "1")], [("x-b", "1")]))
        // `[` is `{` without the case bit: not a letter, so not the same name.
        #expect(!Self.same([("a[", "1")], [("a{", "1")]))
        #expect(!Self.same([("X-A", "1")], [("x-a", "1"), ("x-a", "1")]))
        #expect(!Self.same([("X-A", "1"), ("X-B", "2")], [("x-a", "1")]))
        // Reordered lines are not "the same lines"; the grouped comparison then decides (no change).
        var answer = Self.echo
        answer.headers = [("accept", "*/*"), ("host", "api.example.com"), ("x-trace", "a"), ("x-trace", "b"), ("content-length", "4")]
        #expect(!RequestDiff.sameLines(sent: Self.sentHeaders, answer: answer.headers!))
        #expect(changes(answer: answer).isEmpty)
    }

    @Test func aChangedValueListReplacesTheHeader() {
        var answer = Self.echo
        answer.headers = [("host", "api.example.com"), ("x-trace", "b"), ("x-trace", "a"), ("accept", "text/html")]
        let result = changes(answer: answer)
        #expect(result.setHeaders.map(\.name) == ["x-trace", "accept"])
        #expect(result.setHeaders.map(\.values) == [["b", "a"], ["text/html"]])
        #expect(result.removeHeaders.isEmpty)
    }

    @Test func missingNamesAreRemovedAndNewOnesSetInAnswerOrder() {
        var answer = Self.echo
        answer.headers = [("host", "api.example.com"), ("X-New", "1"), ("accept", "*/*"), ("x-new", "2"), ("Z", "z")]
        let result = changes(answer: answer)
        #expect(result.setHeaders.map(\.name) == ["x-new", "z"])
        #expect(result.setHeaders.map(\.values) == [["1", "2"], ["z"]])
        #expect(result.removeHeaders == ["x-trace"])
    }

    @Test func framingHeadersAreNeverSetOrRemoved() {
        var answer = Self.echo
        answer.headers = [
            ("host", "api.example.com"), ("x-trace", "a"), ("x-trace", "b"), ("accept", "*/*"),
            ("Transfer-Encoding", "chunked"),
        ]
        #expect(changes(answer: answer).isEmpty)  // content-length dropped, transfer-encoding added: ignored
        answer.headers?.append(("content-length", "999"))
        #expect(changes(answer: answer).isEmpty)
    }

    @Test func underscoreNamesWereNotSentSoTheirAbsenceRemovesNothing() {
        #expect(!changes(answer: Self.echo).removeHeaders.contains("x_hidden"))
        var answer = Self.echo
        answer.headers?.append(("X_Policy", "added"))
        #expect(changes(answer: answer).setHeaders.map(\.name) == ["x_policy"])
    }

    @Test func noHeadersInTheAnswerLeavesHeadersAlone() {
        var answer = Self.echo
        answer.headers = nil
        #expect(changes(answer: answer).isEmpty)
        answer.headers = []
        #expect(changes(answer: answer).removeHeaders == ["host", "x-trace", "accept"])
    }

    @Test func aDifferentMethodIsApplied() {
        var answer = Self.echo
        answer.method = "PUT"
        #expect(changes(answer: answer).method == "PUT")
        answer.method = nil
        #expect(changes(answer: answer).method == nil)
    }

    @Test func pathAndQueryChangesAreDetectedSeparately() {
        var answer = Self.echo
        answer.url = "https://api.example.com:443/other?a=1"
        var result = changes(answer: answer)
        #expect(result.path == "/other")
        #expect(result.query == nil)

        answer.url = "https://api.example.com:443/orders/17?b=2&a=1"
        result = changes(answer: answer)
        #expect(result.path == nil)
        #expect(result.query == .some("b=2&a=1"))

        answer.url = "https://api.example.com:443/orders/17"
        #expect(changes(answer: answer).query == .some(nil))
        answer.url = "https://api.example.com:443/orders/17?"
        #expect(changes(answer: answer).query == .some(nil))
        #expect(changes(query: nil, answer: answer).query == nil)
        #expect(changes(query: "", answer: answer).query == nil)
    }

    @Test func theDefaultPortOfTheSchemeCountsAsTheSamePort() {
        var answer = Self.echo
        answer.url = "https://API.example.com/orders/17?a=1"
        #expect(changes(answer: answer).isEmpty)
        answer.url = "/orders/17?a=1"
        #expect(changes(answer: answer).isEmpty)
    }

    @Test func aNewHostOrPortSetsTheHostHeader() {
        var answer = Self.echo
        answer.url = "https://internal.example.com/orders/17?a=1"
        #expect(changes(answer: answer).hostHeader == "internal.example.com")
        answer.url = "https://api.example.com:8443/orders/17?a=1"
        #expect(changes(answer: answer).hostHeader == "api.example.com:8443")
        answer.url = "https://[2001:db8::1]:8443/orders/17?a=1"
        #expect(changes(answer: answer).hostHeader == "[2001:db8::1]:8443")
    }

    @Test func aSchemeChangeIsFlaggedOnly() {
        var answer = Self.echo
        answer.url = "http://api.example.com:443/orders/17?a=1"
        let result = changes(answer: answer)
        #expect(result.schemeChanged)
        #expect(result.hostHeader == nil)
        #expect(result.path == nil)
    }

    @Test func aPolicyEchoingTheDecodedPathIsNotAChange() {
        var answer = Self.echo
        answer.url = "https://api.example.com:443/caf\u{E9}/sp ace?a=1"
        #expect(changes(path: "/caf%C3%A9/sp%20ace", answer: answer).path == nil)
    }

    @Test func bodyChangesFollowWhatWasDescribed() {
        var answer = Self.echo
        answer.body = "new"
        #expect(changes(answer: answer).body == "new")
        answer.body = "body"
        #expect(changes(answer: answer).body == nil)
        answer.body = .none
        #expect(changes(answer: answer).body == "")  // plugin behaviour: missing body empties a sent one
        answer.body = .some(nil)
        #expect(changes(answer: answer).body == "")
        answer.body = "new"
        #expect(changes(body: .omitted, answer: answer).body == nil)  // not described: ignored
        #expect(changes(body: .empty, answer: answer).body == "new")
        #expect(changes(body: .bytes(ByteBuffer()), answer: answer).body == "new")
        answer.body = .none
        #expect(changes(body: .empty, answer: answer).body == nil)
        answer.body = ""
        #expect(changes(body: .empty, answer: answer).body == nil)
    }

    @Test func bodiesAreComparedAsUTF8Bytes() {
        var answer = Self.echo
        answer.body = "héllo ✓"
        #expect(changes(body: .bytes(ByteBuffer(string: "héllo ✓")), answer: answer).body == nil)
        #expect(changes(body: .bytes(ByteBuffer(string: "hello ✓")), answer: answer).body == "héllo ✓")
    }

    /// Golden case 51 (`x-test-decision: modify`): exactly the changes the corpus README lists.
    @Test func goldenCase51GivesTheDocumentedChanges() throws {
        let json = try GoldenCorpus.luaCase("51")
        let call = try #require((json["sideband"] as? [[String: Any]])?.first)
        let parsed = try #require(call["parsed"] as? [String: Any])
        let sentHeaders: HeaderList = try #require(parsed["headers"] as? [[String: String]]).map {
            let (name, value) = try #require($0.first)
            return (name: name, value: value)
        }
        guard
            case .allow(let allowed) = try SidebandAnswerParser.parseRequestAnswer(
                try JSONTesting.buffer(try #require(call["answer"]))
            )
        else {
            Issue.record("expected an allow")
            return
        }
        let result = RequestDiff.changes(
            sentHeaders: sentHeaders,
            sentMethod: "POST",
            sentScheme: "http",
            sentHost: "127.0.0.1",
            sentPort: 8000,
            sentPath: "/orig/path",
            sentQuery: "a=1&z=9",
            sentBody: .bytes(ByteBuffer(string: "original body")),
            answer: allowed
        )
        let expected = RequestChanges(
            removeHeaders: ["x-remove-me"],
            setHeaders: [("x-change-me", ["changed-by-pdp"]), ("x-added", ["added-by-pdp", "second-value"])],
            method: "PUT",
            path: "/modified/path",
            query: .some("b=2&a=1&a=3&sp=x%20y"),
            hostHeader: nil,
            schemeChanged: false,
            body: "modified body from pdp"
        )
        #expect(result == expected)
    }

    /// Every allow answer of the corpus that only echoes the request changes nothing but the body rule
    /// and the query the plugin re-encoded: the diff is not noisy.
    @Test func goldenEchoAnswersChangeNoHeadersMethodOrPath() throws {
        var checked = 0
        for (file, json) in try GoldenCorpus.luaCases() where !file.hasPrefix("51-") {
            guard let call = (json["sideband"] as? [[String: Any]])?.first, call["answer_status"] as? Int == 200,
                let parsed = call["parsed"] as? [String: Any], let answer = call["answer"] as? [String: Any],
                answer["response"] == nil, let url = parsed["url"] as? String
            else { continue }
            guard case .allow(let allowed) = try SidebandAnswerParser.parseRequestAnswer(try JSONTesting.buffer(answer))
            else {
                Issue.record("\(file): expected an allow")
                continue
            }
            let sentHeaders: HeaderList = ((parsed["headers"] as? [[String: String]]) ?? []).compactMap {
                $0.first.map { (name: $0.key, value: $0.value) }
            }
            let parts = try #require(AnswerURL.parse(url))
            let result = RequestDiff.changes(
                sentHeaders: sentHeaders,
                sentMethod: try #require(parsed["method"] as? String),
                sentScheme: "http",
                sentHost: try #require(parts.host),
                sentPort: try #require(parts.port),
                sentPath: parts.path,
                sentQuery: parts.query.map { Substring($0) },
                sentBody: (parsed["body"] as? String).map { .bytes(ByteBuffer(string: $0)) } ?? .omitted,
                answer: allowed
            )
            #expect(result.isEmpty, "\(file)")
            checked += 1
        }
        #expect(checked >= 50)
    }
}
