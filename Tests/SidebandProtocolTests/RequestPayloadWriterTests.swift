import Foundation
import NIOCore
import Testing

@testable import SidebandProtocol

typealias HeaderList = [(name: String, value: String)]

func describeRequest(
    method: String = "GET",
    scheme: String = "https",
    host: String = "api.example.com",
    port: Int = 443,
    path: String = "/orders/17",
    query: Substring? = nil,
    httpVersion: String = "1.1",
    headers: HeaderList = [],
    body: SidebandBody = .empty,
    clientCertificate: ByteBuffer? = nil
) -> SidebandRequestDescription<HeaderList> {
    SidebandRequestDescription(
        sourceIP: "203.0.113.24",
        sourcePort: 51722,
        method: method,
        scheme: scheme,
        host: host,
        port: port,
        path: path,
        query: query,
        httpVersion: httpVersion,
        headers: headers,
        body: body,
        clientCertificate: clientCertificate
    )
}

func writtenRequest(_ request: SidebandRequestDescription<HeaderList>) -> ByteBuffer {
    var buffer = ByteBuffer()
    SidebandPayloadWriter.writeRequest(request, into: &buffer)
    return buffer
}

@Suite struct RequestPayloadWriterTests {
    @Test func writesTheKeysInTheDocumentedOrderWithSourcePortAsANumber() {
        let request = describeRequest(
            method: "POST",
            query: "expand=items&expand=owner",
            headers: [("Host", "api.example.com"), ("X-Trace", "a"), ("x-trace", "b")],
            body: .bytes(ByteBuffer(string: #"{"qty":2}"#))
        )
        let expected =
            #"{"source_ip":"203.0.113.24","source_port":51722,"method":"POST","#
            + #""url":"https://api.example.com:443/orders/17?expand=items&expand=owner","http_version":"1.1","#
            + #""headers":[{"host":"api.example.com"},{"x-trace":"a"},{"x-trace":"b"}],"body":"{\"qty\":2}"}"#
        #expect(String(buffer: writtenRequest(request)) == expected)
    }

    @Test func noHeadersIsAnEmptyArrayNotAnObject() throws {
        let written = writtenRequest(describeRequest(headers: []))
        #expect(String(buffer: written).contains(#""headers":[]"#))
        #expect(try JSONTesting.object(written)["headers"] as? [Any] != nil)
    }

    @Test func headerNamesAreLowerCasedAndValuesKeptVerbatimInArrivalOrder() throws {
        let headers: HeaderList = [
            ("X-Multi", "one"), ("Accept", "*/*"), ("x-MULTI", "two, three"), ("Empty", ""),
            ("Cookie", "a=1; b=2"),
        ]
        let object = try JSONTesting.object(writtenRequest(describeRequest(headers: headers)))
        let written = try #require(object["headers"] as? [[String: String]])
        #expect(
            written == [
                ["x-multi": "one"], ["accept": "*/*"], ["x-multi": "two, three"], ["empty": ""], ["cookie": "a=1; b=2"],
            ]
        )
    }

    @Test func headerNamesWithUnderscoresAreDropped() throws {
        let headers: HeaderList = [("X_User", "admin"), ("X-User", "alice"), ("_", "x"), ("a_b", "y")]
        let object = try JSONTesting.object(writtenRequest(describeRequest(headers: headers)))
        #expect(object["headers"] as? [[String: String]] == [["x-user": "alice"]])
    }

    @Test func everyStringFieldIsEscaped() throws {
        let nasty = "q\"uote\\back\nnew\rret\ttab\u{01}\u{1F}/slash é✓😀"
        let request = SidebandRequestDescription(
            sourceIP: nasty,
            sourcePort: 1,
            method: nasty,
            scheme: "http",
            host: "h",
            port: 80,
            path: "/p\"\\",
            query: "a=\"b\"&c=\\",
            httpVersion: nasty,
            headers: [(name: "X-Nasty\"", value: nasty)] as HeaderList,
            body: .bytes(ByteBuffer(string: nasty)),
            clientCertificate: nil
        )
        let written = writtenRequest(request)
        let object = try JSONTesting.object(written)
        #expect(object["source_ip"] as? String == nasty)
        #expect(object["method"] as? String == nasty)
        #expect(object["http_version"] as? String == nasty)
        #expect(object["body"] as? String == nasty)
        #expect(object["url"] as? String == "http://h:80/p\"\\?a=\"b\"&c=\\")
        #expect(object["headers"] as? [[String: String]] == [["x-nasty\"": nasty]])
        // Valid UTF-8 passes through unescaped; `/` is not escaped.
        #expect(String(buffer: written).contains("/slash é✓😀"))
        #expect(String(buffer: written).contains(#"\u0001\u001f"#))
    }

    @Test func theQueryIsAppendedVerbatimOnlyWhenNonEmpty() throws {
        func url(_ query: Substring?) throws -> String? {
            try JSONTesting.object(writtenRequest(describeRequest(path: "/q", query: query)))["url"] as? String
        }
        #expect(try url(nil) == "https://api.example.com:443/q")
        #expect(try url("") == "https://api.example.com:443/q")
        #expect(
            try url("b=2&a=1&a=3&plus=a+b&sp=x%20y&arr[]=1&&=v&")
                == "https://api.example.com:443/q?b=2&a=1&a=3&plus=a+b&sp=x%20y&arr[]=1&&=v&"
        )
    }

    @Test func thePortIsAlwaysWrittenAndIPv6HostsGetBrackets() throws {
        func url(host: String, port: Int) throws -> String? {
            try JSONTesting.object(writtenRequest(describeRequest(scheme: "http", host: host, port: port, path: "/")))[
                "url"
            ] as? String
        }
        #expect(try url(host: "example.com", port: 80) == "http://example.com:80/")
        #expect(try url(host: "::1", port: 8000) == "http://[::1]:8000/")
        #expect(try url(host: "[2001:db8::1]", port: 8443) == "http://[2001:db8::1]:8443/")
    }

    @Test func bodiesAreEmptyStringsTextOrAbsent() throws {
        #expect(try JSONTesting.object(writtenRequest(describeRequest(body: .empty)))["body"] as? String == "")
        #expect(
            try JSONTesting.object(writtenRequest(describeRequest(body: .bytes(ByteBuffer()))))["body"] as? String == ""
        )
        let text = "héllo ✓\n\"x\""
        #expect(
            try JSONTesting.object(writtenRequest(describeRequest(body: .bytes(ByteBuffer(string: text)))))["body"]
                as? String == text
        )
        let omitted = try JSONTesting.object(writtenRequest(describeRequest(body: .omitted)))
        #expect(omitted["body"] == nil)
        #expect(omitted["headers"] != nil)
    }

    @Test func aBodyBufferIsWrittenFromItsReadableBytesOnly() throws {
        var body = ByteBuffer(string: "skipped-kept")
        body.moveReaderIndex(forwardBy: 8)
        #expect(
            try JSONTesting.object(writtenRequest(describeRequest(body: .bytes(body))))["body"] as? String == "kept"
        )
    }

    @Test func theClientCertificateIsWrittenAsIsAndOnlyWhenPresent() throws {
        let jwk = #"{"kty":"EC","crv":"P-256","x":"eA","y":"eQ","x5c":["MIIB"]}"#
        let written = writtenRequest(describeRequest(clientCertificate: ByteBuffer(string: jwk)))
        #expect(String(buffer: written).hasSuffix(#","client_certificate":"# + jwk + "}"))
        let certificate = try #require(try JSONTesting.object(written)["client_certificate"] as? [String: Any])
        #expect(certificate["kty"] as? String == "EC")
        #expect(!String(buffer: writtenRequest(describeRequest())).contains("client_certificate"))
    }

    @Test func theReturnedRangeIsTheEscapedURLContentsInAbsoluteIndices() throws {
        var buffer = ByteBuffer(string: "prefix that is not part of the payload")
        buffer.moveReaderIndex(forwardBy: 7)
        let request = describeRequest(path: "/a\"b", query: "q=é")
        let range = SidebandPayloadWriter.writeRequest(request, into: &buffer)
        let url = try #require(buffer.getSlice(at: range.lowerBound, length: range.count))
        #expect(String(buffer: url) == #"https://api.example.com:443/a\"b?q=é"#)
    }

    /// `UTF8Validation` is the gate in front of the writer: a body that fails it is refused (415) or
    /// `.omitted`, never written, so every payload is valid JSON (the plugin sent raw bytes, case 39).
    @Test func invalidUTF8IsCaughtByTheValidationInFrontOfTheWriter() throws {
        let invalid = try #require(Data(base64Encoded: "//4AYWJjgA=="))  // golden case 39's body
        #expect(!UTF8Validation.isValid(invalid))
        let written = writtenRequest(describeRequest(body: .omitted))
        #expect(UTF8Validation.isValid(written.readableBytesView))
        #expect(try JSONTesting.object(written)["body"] == nil)
    }
}
