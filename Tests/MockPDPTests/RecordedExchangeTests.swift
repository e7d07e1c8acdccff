import Foundation
import NIOCore
import Testing

@testable import MockPDP

/// The record file's line format, written and read back.
@Suite struct RecordedExchangeTests {
    static func line(
        payload: String,
        answer: String,
        headers: [(name: String, value: String)] = []
    ) -> ByteBuffer {
        RecordedExchange.line(
            time: Date(timeIntervalSince1970: 0),
            path: "/prefix/sideband/request",
            payload: ByteBuffer(string: payload),
            status: 200,
            answer: ByteBuffer(string: answer),
            answerHeaders: headers,
            secretHeaderName: "CLIENT-TOKEN"
        )
    }

    @Test func writesOneLineThatReadsBackToTheSameCallAndAnswer() throws {
        let payload = "{\n  \"method\": \"GET\",\n  \"url\": \"https://a:443/x\",\n  \"source_port\": 5\n}"
        let answer = #"{"method":"GET","url":"https:\/\/a:443\/x"}"#
        let line = Self.line(
            payload: payload,
            answer: answer,
            headers: [("Retry-After", "3"), ("Content-Length", "9")]
        )
        let text = String(buffer: line)
        #expect(text.hasSuffix("\n"))
        #expect(text.dropLast().contains("\n") == false)
        #expect(text.hasPrefix(#"{"time":"1970-01-01T00:00:00.000Z","path":"/prefix/sideband/request","#))

        let exchange = try RecordedExchange.parse(line: line).get()
        #expect(exchange.phase == .request)
        #expect(exchange.status == 200)
        #expect(String(buffer: exchange.body) == answer)
        #expect(exchange.key == ReplayKey(phase: .request, payload: ByteBuffer(string: payload)))
        #expect(exchange.headers.map(\.name) == ["retry-after"])
        #expect(exchange.headers.map(\.value) == ["3"])
    }

    @Test func neverWritesTheSecretHeaderOrTheDate() {
        let line = Self.line(
            payload: "{}",
            answer: "{}",
            headers: [("client-token", "s3cret"), ("Date", "Mon"), ("Correlation-Id", "c")]
        )
        let text = String(buffer: line)
        #expect(!text.contains("s3cret"))
        #expect(!text.lowercased().contains("\"date\""))
        #expect(text.contains(#"{"correlation-id":"c"}"#))
    }

    @Test func keepsAnAnswerThatIsNotJSONAsText() throws {
        let line = Self.line(payload: "{}", answer: "not json")
        let exchange = try RecordedExchange.parse(line: line).get()
        #expect(String(buffer: exchange.body) == "not json")
    }

    @Test func rejectsLinesThatAreNotRecordings() {
        for text in ["[]", #"{"path":"/x","request":{},"status":200,"response":{}}"#, #"{"path":"/sideband/request"}"#]
        {
            guard case .failure = RecordedExchange.parse(line: ByteBuffer(string: text)) else {
                Issue.record("accepted \(text)")
                continue
            }
        }
    }
}
