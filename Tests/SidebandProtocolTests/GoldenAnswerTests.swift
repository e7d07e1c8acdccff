import Foundation
import NIOCore
import Testing

@testable import SidebandProtocol

/// Every answer of the corpus decodes: the mock PDP's answers to the plugin and real PingAuthorize ones.
@Suite struct GoldenAnswerTests {
    @Test func everyCapturedPingAuthorizeAnswerParses() throws {
        let examples = try GoldenCorpus.pazExamples()
        #expect(!examples.isEmpty)
        for example in examples {
            let name = example["name"] as? String ?? "?"
            let body = ByteBuffer(string: try #require(example["answer_body"] as? String))
            switch example["sideband_call"] as? String {
            case "/sideband/request":
                guard case .allow(let allowed) = try SidebandAnswerParser.parseRequestAnswer(body) else {
                    Issue.record("\(name): expected an allow")
                    continue
                }
                // PingAuthorize's state is a string, echoed with its quotes.
                let state = try #require(allowed.state)
                #expect(state.readableBytesView.first == UInt8(ascii: "\""))
                #expect(state.readableBytesView.last == UInt8(ascii: "\""))
                #expect(allowed.sourcePort == 333)
                #expect(allowed.url == "https://api.example.com/homes")
                #expect(allowed.headers?.contains { $0.name == "SH-USER" } == true)
            case "/sideband/response":
                let decision = try SidebandAnswerParser.parseResponseAnswer(body)
                #expect(decision.status == 200)
                #expect(decision.body == "")
                #expect(decision.headers.count == 1)
            default:
                Issue.record("\(name): unknown sideband call")
            }
        }
    }

    @Test func everyAnswerOfTheLuaCorpusParsesAsItsKind() throws {
        var counts = (deny: 0, allow: 0, response: 0, errors: 0)
        for (file, json) in try GoldenCorpus.luaCases() {
            for call in (json["sideband"] as? [[String: Any]]) ?? [] {
                guard let answer = call["answer"] else { continue }
                let body = try JSONTesting.buffer(answer)
                let status = call["answer_status"] as? Int ?? 200
                let kind = call["kind"] as? String
                if status != 200 {
                    // 4xx/5xx: only summarised for logs.
                    let summary = SidebandAnswerParser.errorSummary(body)
                    #expect(summary.message != nil || summary.id != nil, "\(file)")
                    counts.errors += 1
                } else if answer is String {
                    // Case 62: the mock answered 200 with text.
                    #expect(throws: SidebandAnswerError.notJSON, "\(file)") {
                        try SidebandAnswerParser.parseRequestAnswer(body)
                    }
                } else if kind == "request" {
                    switch try SidebandAnswerParser.parseRequestAnswer(body) {
                    case .deny(let deny):
                        let expected = try #require((answer as? [String: Any])?["response"] as? [String: Any])
                        #expect(String(deny.status) == expected["response_code"] as? String, "\(file)")
                        #expect(deny.body == (expected["body"] as? String ?? ""), "\(file)")
                        counts.deny += 1
                    case .allow(let allowed):
                        let expected = try #require(answer as? [String: Any])
                        #expect(allowed.method == expected["method"] as? String, "\(file)")
                        #expect(allowed.url == expected["url"] as? String, "\(file)")
                        #expect(allowed.headers?.count == (expected["headers"] as? [Any])?.count ?? 0, "\(file)")
                        if let state = expected["state"] {
                            #expect(
                                try JSONTesting.canonical(JSONTesting.object(try #require(allowed.state)))
                                    == JSONTesting.canonical(state)
                            )
                        } else {
                            #expect(allowed.state == nil, "\(file)")
                        }
                        counts.allow += 1
                    }
                } else {
                    let decision = try SidebandAnswerParser.parseResponseAnswer(body)
                    let expected = try #require(answer as? [String: Any])
                    #expect(String(decision.status) == expected["response_code"] as? String, "\(file)")
                    #expect(decision.body == (expected["body"] as? String ?? ""), "\(file)")
                    #expect(decision.headers.count == (expected["headers"] as? [Any])?.count, "\(file)")
                    counts.response += 1
                }
            }
        }
        #expect(counts.deny == 3)
        #expect(counts.allow >= 55)
        #expect(counts.response >= 55)
        #expect(counts.errors >= 5)
    }

    /// Case 50: repeated names in any case become one header line each.
    @Test func case50DenyKeepsEveryHeaderLine() throws {
        let json = try GoldenCorpus.luaCase("50")
        let call = try #require((json["sideband"] as? [[String: Any]])?.first)
        guard
            case .deny(let deny) = try SidebandAnswerParser.parseRequestAnswer(
                try JSONTesting.buffer(try #require(call["answer"]))
            )
        else {
            Issue.record("expected a deny")
            return
        }
        #expect(deny.status == 403)
        #expect(flattened(deny.headers) == ["Content-Type: application/json", "X-Reason: one", "x-reason: two"])
        #expect(deny.body == #"{"error":"nope"}"#)
    }
}
