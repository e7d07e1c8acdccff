import NIOCore
import NIOHTTP1
import SidebandProtocol

/// What the benchmarks describe, parse and compare: one typical covered request (a `POST` with 10 headers and a
/// 1 KiB JSON body), the answers PingAuthorize gives to it, and the upstream's response. Built once, outside
/// every measurement.
enum Fixtures {
    /// The request's headers, in arrival order.
    static let requestHeaders: HTTPHeaders = [
        "Host": "api.example.com",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) benchmark",
        "Accept": "application/json",
        "Accept-Language": "en-GB,en;q=0.9",
        "Authorization": "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
        "Content-Type": "application/json",
        "Content-Length": "1024",
        "X-Request-Id": "7f3c2a9e-5b1d-4c8e-9a0f-1e2d3c4b5a69",
        "X-Forwarded-For": "203.0.113.24",
        "Cookie": "session=abc123; theme=dark",
    ]

    /// A 1 KiB JSON body: every item has quotes, so the escaper's slow path is part of the figure.
    static let body: ByteBuffer = {
        var text = "{\"order\":{\"id\":17,\"items\":["
        var index = 0
        while text.utf8.count < 1000 {
            text += "{\"sku\":\"SKU-\(index)\",\"qty\":\(index % 5 + 1)},"
            index += 1
        }
        text += "{\"sku\":\"last\",\"qty\":1}]}}"
        text += String(repeating: " ", count: max(0, 1024 - text.utf8.count))
        return ByteBuffer(string: text)
    }()

    /// The request's raw query.
    static let query: Substring = "expand=items&expand=owner"

    /// The request as the gateway describes it, optionally with other header lines (to build answers).
    static func requestDescription(
        headers: HTTPHeaders = Fixtures.requestHeaders
    ) -> SidebandRequestDescription<HTTPHeaders> {
        SidebandRequestDescription(
            sourceIP: "203.0.113.24",
            sourcePort: 51722,
            method: "POST",
            scheme: "https",
            host: "api.example.com",
            port: 443,
            path: "/orders/17",
            query: Fixtures.query,
            httpVersion: "1.1",
            headers: headers,
            body: .bytes(Fixtures.body),
            clientCertificate: nil
        )
    }

    /// The `url` string's contents inside the `/sideband/request` payload, as the slice the gateway keeps
    /// for the response phase (`writeRequest`'s returned range).
    static let urlSlice: ByteBuffer = {
        var payload = ByteBuffer()
        let range = SidebandPayloadWriter.writeRequest(requestDescription(), into: &payload)
        return payload.getSlice(at: range.lowerBound, length: range.count)!
    }()

    /// A `state` value of the length PingAuthorize sends (its compressed, base64 request summary).
    static let stateText =
        "H4sIAAAAAAAAAK1TTW/aQBD9KwvnJNgYbOCYQ0uqRqoqRT0kFdqsx2brtdfdD8DK5b9nbAwhaZJLVVnyzs6bN/PmzR9fXxWKyvDZ8HpE"

    /// `state` as the allow-answer parser keeps it: the raw JSON value, quotes included.
    static let state = ByteBuffer(string: "\"\(Fixtures.stateText)\"")

    // MARK: - Answers of /sideband/request

    /// The request payload echoed back with `state` appended: PingAuthorize's allow.
    static func echoedWithState(_ request: SidebandRequestDescription<HTTPHeaders>) -> ByteBuffer {
        var payload = ByteBuffer()
        SidebandPayloadWriter.writeRequest(request, into: &payload)
        var text = String(buffer: payload)
        text.removeLast()
        text += ",\"state\":\"\(Fixtures.stateText)\"}"
        return ByteBuffer(string: text)
    }

    /// An allow that changes nothing (the request echoed, plus `state`).
    static let allowAnswer: ByteBuffer = echoedWithState(requestDescription())

    /// An allow that changes one header (`Accept-Language`) and adds one (`X-User`), the shape of a policy
    /// that resolves the caller and passes it on.
    static let modifyingAllowAnswer: ByteBuffer = {
        var headers = Fixtures.requestHeaders
        headers.replaceOrAdd(name: "Accept-Language", value: "de-CH")
        headers.add(name: "X-User", value: "7d9fc465-ec1a-460c-ab38-435471f4918b")
        return echoedWithState(requestDescription(headers: headers))
    }()

    /// `allowAnswer`, parsed.
    static let unchangedAllow: AllowedRequest = parsedAllow(Fixtures.allowAnswer)

    /// `modifyingAllowAnswer`, parsed.
    static let modifyingAllow: AllowedRequest = parsedAllow(Fixtures.modifyingAllowAnswer)

    private static func parsedAllow(_ answer: ByteBuffer) -> AllowedRequest {
        guard case .allow(let allowed) = try! SidebandAnswerParser.parseRequestAnswer(answer) else {
            fatalError("the fixture must be an allow answer")
        }
        return allowed
    }

    /// A deny in the shape of SIDEBAND.md §3, with PingAuthorize's `Correlation-Id`.
    static let denyAnswer = ByteBuffer(
        string: #"{"response":{"response_code":"403","response_status":"FORBIDDEN","headers":["#
            + #"{"Content-Type":"application/json"},{"Correlation-Id":"28b032de-8370-4561-acdc-a551233209b4"}],"#
            + #""body":"{\"status\":403,\"message\":\"insufficient_scope\"}"}}"#
    )

    // MARK: - The upstream response and the answer of /sideband/response

    /// The upstream's response headers, as the client would get them.
    static let responseHeaders: HTTPHeaders = [
        "Content-Type": "application/json",
        "Content-Length": "1024",
        "Date": "Sat, 29 Nov 2026 08:34:09 GMT",
        "Server": "orders/2.4.1",
        "Cache-Control": "no-store",
        "ETag": "\"5d8c72a5edda8d6a\"",
        "Vary": "Accept-Encoding",
        "X-Request-Id": "7f3c2a9e-5b1d-4c8e-9a0f-1e2d3c4b5a69",
    ]

    /// The `/sideband/response` answer that lets the upstream response through: the response echoed flat,
    /// `response_code` a string, as the captured PingAuthorize answers are (the 1 KiB body is the request's
    /// body reused: same size and escaping).
    static let responseAnswer: ByteBuffer = {
        var buffer = ByteBuffer()
        buffer.writeString(#"{"response_code":"200","response_status":"OK","method":"POST","url":""#)
        buffer.writeImmutableBuffer(Fixtures.urlSlice)
        buffer.writeString(#"","http_version":"1.1","headers":["#)
        var first = true
        for (name, value) in Fixtures.responseHeaders {
            buffer.writeString(first ? "{" : ",{")
            first = false
            buffer.writeJSONString(name)
            buffer.writeString(":")
            buffer.writeJSONString(value)
            buffer.writeString("}")
        }
        buffer.writeString(#"],"body":"#)
        buffer.writeJSONString(Fixtures.body.readableBytesView)
        buffer.writeString("}")
        return buffer
    }()
}
