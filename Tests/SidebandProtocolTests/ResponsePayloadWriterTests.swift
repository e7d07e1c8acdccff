import Foundation
import NIOCore
import Testing

@testable import SidebandProtocol

@Suite struct ResponsePayloadWriterTests {
    func writtenResponse(
        url: String = "https://api.example.com:443/orders/17?expand=items",
        statusCode: Int = 201,
        headers: HeaderList = [("Content-Type", "application/json"), ("X-Powered-By", "orders")],
        body: SidebandBody = .bytes(ByteBuffer(string: #"{"id":17}"#)),
        context: SidebandPayloadWriter.ResponseContext = .state(ByteBuffer(string: #""H4sIAAAA""#))
    ) -> ByteBuffer {
        var buffer = ByteBuffer()
        SidebandPayloadWriter.writeResponse(
            method: "POST",
            url: ByteBuffer(string: url),
            httpVersion: "1.1",
            statusCode: statusCode,
            headers: headers,
            body: body,
            context: context,
            into: &buffer
        )
        return buffer
    }

    @Test func writesTheKeysInTheDocumentedOrderWithTheStatusAsAString() {
        let expected =
            #"{"method":"POST","url":"https://api.example.com:443/orders/17?expand=items","http_version":"1.1","#
            + #""response_code":"201","response_status":"CREATED","#
            + #""headers":[{"content-type":"application/json"},{"x-powered-by":"orders"}],"#
            + #""body":"{\"id\":17}","state":"H4sIAAAA"}"#
        #expect(String(buffer: writtenResponse()) == expected)
    }

    @Test func stateOfAnyJSONTypeIsEchoedByteForByte() {
        let states = [
            #"{"n" : 1, "nested": {"a": [1, 2.50, 1e3]}, "dup": 1, "dup": 2}"#,
            #""H4sIAAAAAAAAAK1T\u00e9\/""#,
            "-12.500e+10",
            "[ ]",
            "[]",
            "null",
            "true",
        ]
        for state in states {
            let written = String(buffer: writtenResponse(context: .state(ByteBuffer(string: state))))
            #expect(written.hasSuffix(#","state":"# + state + "}"), "\(state)")
            #expect(!written.contains(#""request":"#))
        }
    }

    @Test func theRequestPayloadIsEchoedWhenThereIsNoState() throws {
        let requestPayload = writtenRequest(describeRequest(headers: [("Accept", "*/*")]))
        let written = writtenResponse(context: .request(requestPayload))
        #expect(String(buffer: written).hasSuffix(#","request":"# + String(buffer: requestPayload) + "}"))
        let object = try JSONTesting.object(written)
        let request = try #require(object["request"] as? [String: Any])
        #expect(request["source_port"] as? Int == 51722)
        #expect(object["state"] == nil)
    }

    @Test func theURLSliceFromTheRequestPhaseIsCopiedUnchanged() throws {
        var payload = ByteBuffer()
        let range = SidebandPayloadWriter.writeRequest(
            describeRequest(path: "/caf%C3%A9/\"q\"", query: "a=\"1\"&b=é"),
            into: &payload
        )
        let url = try #require(payload.getSlice(at: range.lowerBound, length: range.count))
        var buffer = ByteBuffer()
        SidebandPayloadWriter.writeResponse(
            method: "GET",
            url: url,
            httpVersion: "1.0",
            statusCode: 200,
            headers: [] as HeaderList,
            body: .empty,
            context: .request(payload),
            into: &buffer
        )
        let object = try JSONTesting.object(buffer)
        let requestURL = try JSONTesting.object(payload)["url"] as? String
        #expect(object["url"] as? String == requestURL)
        #expect(object["url"] as? String == "https://api.example.com:443/caf%C3%A9/\"q\"?a=\"1\"&b=é")
        #expect(object["http_version"] as? String == "1.0")
    }

    @Test func headersAreLowerCasedAndUnderscoreNamesKept() throws {
        let headers: HeaderList = [("Set-Cookie", "a=1; Path=/"), ("SET-COOKIE", "b=2"), ("X_Upstream", "kept")]
        let object = try JSONTesting.object(writtenResponse(headers: headers))
        #expect(
            object["headers"] as? [[String: String]] == [
                ["set-cookie": "a=1; Path=/"], ["set-cookie": "b=2"], ["x_upstream": "kept"],
            ]
        )
        #expect(String(buffer: writtenResponse(headers: [])).contains(#""headers":[]"#))
    }

    @Test func bodiesAreEmptyStringsTextOrAbsent() throws {
        #expect(try JSONTesting.object(writtenResponse(body: .empty))["body"] as? String == "")
        #expect(try JSONTesting.object(writtenResponse(body: .omitted))["body"] == nil)
        let text = "line1\nline2\t\"quoted\" \\ é"
        #expect(
            try JSONTesting.object(writtenResponse(body: .bytes(ByteBuffer(string: text))))["body"] as? String == text
        )
    }

    @Test func responseStatusIsTheUpperCasedReasonPhrase() throws {
        let cases: [(Int, String)] = [
            (200, "OK"), (201, "CREATED"), (204, "NO CONTENT"), (304, "NOT MODIFIED"), (404, "NOT FOUND"),
            (413, "PAYLOAD TOO LARGE"), (418, "I'M A TEAPOT"), (422, "UNPROCESSABLE CONTENT"),
            (429, "TOO MANY REQUESTS"), (431, "REQUEST HEADER FIELDS TOO LARGE"), (500, "INTERNAL SERVER ERROR"),
            (503, "SERVICE UNAVAILABLE"), (599, ""), (299, ""),
        ]
        for (code, phrase) in cases {
            let object = try JSONTesting.object(writtenResponse(statusCode: code))
            #expect(object["response_code"] as? String == String(code))
            #expect(object["response_status"] as? String == phrase, "\(code)")
        }
    }

    @Test func reasonPhrasesAreUpperCaseASCII() {
        for code in 100...599 {
            let phrase = ReasonPhrase.upperCased(for: code).description
            #expect(phrase == phrase.uppercased(), "\(code)")
            #expect(phrase.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
        }
    }

    /// Golden cases 01 (state) and 52 (no state: `request`) rewritten by our writer: same members as the
    /// plugin's payload except the deliberate differences (the reason phrase table, `state` kept as sent).
    @Test func matchesTheGoldenResponsePayloads() throws {
        for number in ["01", "52", "54", "55"] {
            let json = try GoldenCorpus.luaCase(number)
            let calls = try #require(json["sideband"] as? [[String: Any]])
            let requestCall = try #require(calls.first { $0["kind"] as? String == "request" })
            let responseCall = try #require(calls.first { $0["kind"] as? String == "response" })
            let golden = try #require(responseCall["parsed"] as? [String: Any])
            let goldenHeaders = try #require(golden["headers"] as? [[String: String]])
            let headers: HeaderList = try goldenHeaders.map { entry in
                let (name, value) = try #require(entry.first)
                return (name: name.uppercased(), value: value)
            }
            let requestPayload = ByteBuffer(string: try #require(requestCall["body_raw"] as? String))
            let context: SidebandPayloadWriter.ResponseContext
            if let state = golden["state"] {
                context = .state(try JSONTesting.buffer(state))
            } else {
                context = .request(requestPayload)
            }
            let status = try #require((golden["response_code"] as? String).flatMap { Int($0) })
            let body = try #require(golden["body"] as? String)
            var buffer = ByteBuffer()
            SidebandPayloadWriter.writeResponse(
                method: try #require(golden["method"] as? String),
                url: ByteBuffer(string: try #require(golden["url"] as? String)),
                httpVersion: "1.1",
                statusCode: status,
                headers: headers,
                body: body.isEmpty ? .empty : .bytes(ByteBuffer(string: body)),
                context: context,
                into: &buffer
            )
            var expected = golden
            expected["response_status"] = ReasonPhrase.upperCased(for: status).description
            #expect(
                try JSONTesting.canonical(JSONTesting.object(buffer)) == JSONTesting.canonical(expected),
                "\(number)"
            )
        }
    }
}
