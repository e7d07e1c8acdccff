import NIOCore
import Testing

@testable import SidebandProtocol

func requestDecision(_ text: String) throws(SidebandAnswerError) -> RequestDecision {
    try SidebandAnswerParser.parseRequestAnswer(ByteBuffer(string: text))
}

func deny(_ text: String) throws -> DenyResponse {
    guard case .deny(let deny) = try requestDecision(text) else {
        Issue.record("expected a deny for \(text)")
        throw SidebandAnswerError.notAnObject
    }
    return deny
}

func allow(_ text: String) throws -> AllowedRequest {
    guard case .allow(let allowed) = try requestDecision(text) else {
        Issue.record("expected an allow for \(text)")
        throw SidebandAnswerError.notAnObject
    }
    return allowed
}

func flattened(_ headers: [(name: String, value: String)]?) -> [String]? {
    headers?.map { "\($0.name): \($0.value)" }
}

@Suite struct DenyAnswerTests {
    @Test func aResponseObjectIsADenyWithStatusHeadersAndBody() throws {
        let denied = try deny(
            #"{"response": {"response_code": "403", "response_status": "FORBIDDEN", "headers": [{"Content-Type": "application/json"}], "body": "{\"status\":403}"}, "url": "ignored"}"#
        )
        #expect(denied.status == 403)
        #expect(flattened(denied.headers) == ["Content-Type: application/json"])
        #expect(denied.body == #"{"status":403}"#)
    }

    @Test func theStatusMayBeANumberOrAString() throws {
        #expect(try deny(#"{"response": {"response_code": 401}}"#).status == 401)
        #expect(try deny(#"{"response": {"response_code": "401"}}"#).status == 401)
    }

    @Test func invalidStatusesAreRejected() {
        for code in [
            #""40""#, #""4033""#, #"" 403""#, #""403 ""#, #""abc""#, #""""#, "403.0", "4.03e2", "99", "600", "-403",
            #""+403""#, #""099""#,
        ] {
            #expect(throws: SidebandAnswerError.invalidStatus("response.response_code"), "\(code)") {
                try requestDecision(#"{"response": {"response_code": \#(code)}}"#)
            }
        }
        #expect(throws: SidebandAnswerError.wrongType("response.response_code")) {
            try requestDecision(#"{"response": {"response_code": [403]}}"#)
        }
    }

    @Test func aMissingStatusIsAnError() {
        #expect(throws: SidebandAnswerError.missingField("response.response_code")) {
            try requestDecision(#"{"response": {"body": "no"}}"#)
        }
        #expect(throws: SidebandAnswerError.missingField("response.response_code")) {
            try requestDecision(#"{"response": {"response_code": null}}"#)
        }
    }

    @Test func missingHeadersAreNoneAndAMissingBodyIsEmpty() throws {
        let denied = try deny(#"{"response": {"response_code": "401", "response_status": "UNAUTHORIZED"}}"#)
        #expect(denied.headers.isEmpty)
        #expect(denied.body == "")
        #expect(try deny(#"{"response": {"response_code": 401, "headers": null, "body": null}}"#).body == "")
    }

    @Test func headerValuesMayBeArraysAndNamesKeepTheirCase() throws {
        let denied = try deny(
            #"{"response": {"response_code": 403, "headers": [{"X-Reason": "one"}, {"x-reason": "two"}, {"Set-Cookie": ["a=1", "b=2"]}, {}, {"A": "1", "B": "2"}]}}"#
        )
        #expect(
            flattened(denied.headers) == [
                "X-Reason: one", "x-reason: two", "Set-Cookie: a=1", "Set-Cookie: b=2", "A: 1", "B: 2",
            ]
        )
    }

    @Test func headersMayBeAPlainObject() throws {
        let denied = try deny(
            #"{"response": {"response_code": 403, "headers": {"WWW-Authenticate": "Bearer", "X": ["1", "2"]}}}"#
        )
        #expect(flattened(denied.headers) == ["WWW-Authenticate: Bearer", "X: 1", "X: 2"])
    }

    @Test func objectBodiesAreTakenAsTheirJSONText() throws {
        #expect(
            try deny(#"{"response": {"response_code": 403, "body": {"error": "nope"}}}"#).body == #"{"error": "nope"}"#
        )
        #expect(throws: SidebandAnswerError.wrongType("response.body")) {
            try requestDecision(#"{"response": {"response_code": 403, "body": 12}}"#)
        }
    }

    @Test func headersThatCouldSplitTheResponseAreRejected() {
        let bad = [
            #"[{"X-Evil": "a\r\nSet-Cookie: b=1"}]"#, #"[{"X-Evil": "a\nb"}]"#, #"[{"X-Evil": "a\u0000b"}]"#,
            #"[{"X-Evil": ["ok", "a\rb"]}]"#, #"[{"Bad Name": "v"}]"#, #"[{"": "v"}]"#, #"[{"X:Y": "v"}]"#,
            #"[{"X\r\nY": "v"}]"#, #"[{"é": "v"}]"#,
        ]
        for headers in bad {
            #expect(throws: SidebandAnswerError.invalidHeader("response.headers"), "\(headers)") {
                try requestDecision(#"{"response": {"response_code": 403, "headers": \#(headers)}}"#)
            }
        }
    }

    @Test func headersOfTheWrongShapeAreRejected() {
        for headers in [
            #""text""#, "12", #"["X: y"]"#, #"[{"X": 1}]"#, #"[{"X": {"a": "b"}}]"#, #"[{"X": [1]}]"#,
            #"[{"X": null}]"#,
        ] {
            #expect(throws: SidebandAnswerError.wrongType("response.headers"), "\(headers)") {
                try requestDecision(#"{"response": {"response_code": 403, "headers": \#(headers)}}"#)
            }
        }
    }

    @Test func aResponseMemberThatIsNotAnObjectIsAnError() {
        for response in ["null", #""deny""#, "[]", "403"] {
            #expect(throws: SidebandAnswerError.wrongType("response")) {
                try requestDecision(#"{"response": \#(response)}"#)
            }
        }
    }
}

@Suite struct AllowAnswerTests {
    @Test func everyMemberIsReadAsSent() throws {
        let allowed = try allow(
            #"{"source_ip": "10.0.0.1", "source_port": 333, "method": "PUT", "url": "https://h/p?q", "http_version": "1.1", "headers": [{"A": "1"}, {"a": ["2", "3"]}], "body": "b", "state": {"k" : [1, 2.50]}, "client_certificate": {"kty": "EC"}}"#
        )
        #expect(allowed.sourceIP == "10.0.0.1")
        #expect(allowed.sourcePort == 333)
        #expect(allowed.method == "PUT")
        #expect(allowed.url == "https://h/p?q")
        #expect(flattened(allowed.headers) == ["A: 1", "a: 2", "a: 3"])
        #expect(allowed.body == .some("b"))
        #expect(allowed.state.map { String(buffer: $0) } == #"{"k" : [1, 2.50]}"#)
        #expect(allowed.clientCertificate.map { String(buffer: $0) } == #"{"kty": "EC"}"#)
    }

    @Test func anEmptyObjectAllowsWithoutChanges() throws {
        let allowed = try allow("{}")
        #expect(allowed.headers == nil)
        #expect(allowed.method == nil)
        #expect(allowed.url == nil)
        #expect(allowed.body == .none)
        #expect(allowed.state == nil)
    }

    @Test func bodyDistinguishesAbsentNullAndText() throws {
        #expect(try allow("{}").body == .none)
        #expect(try allow(#"{"body": null}"#).body == .some(nil))
        #expect(try allow(#"{"body": ""}"#).body == .some(""))
        #expect(throws: SidebandAnswerError.wrongType("body")) { try requestDecision(#"{"body": {"a": 1}}"#) }
    }

    @Test func stateOfAnyTypeIsKeptByteForByte() throws {
        for state in [#""H4sIAAAA\/\u00e9""#, "[]", "{}", "-1.50e2", "null", "false", #"{"a" :[ {"b":null} ]}"#] {
            #expect(try allow(#"{"state": \#(state)}"#).state.map { String(buffer: $0) } == state)
        }
    }

    /// The state outlives the answer (it waits for the upstream response): it must not keep the whole
    /// answer, which echoes the request body, alive.
    @Test func stateIsCopiedOutOfTheAnswer() throws {
        let answer = #"{"body": ""# + String(repeating: "b", count: 100_000) + #"", "state": "small"}"#
        let state = try #require(try allow(answer).state)
        #expect(String(buffer: state) == #""small""#)
        #expect(state.capacity < 1_000)
    }

    @Test func anEmptyHeadersObjectIsAnEmptyList() throws {
        #expect(try allow(#"{"headers": {}}"#).headers?.isEmpty == true)
        #expect(try allow(#"{"headers": []}"#).headers?.isEmpty == true)
        #expect(try allow(#"{"headers": null}"#).headers == nil)
    }

    @Test func sourcePortMayBeANumberOrAString() throws {
        #expect(try allow(#"{"source_port": 59154}"#).sourcePort == 59154)
        #expect(try allow(#"{"source_port": "59154"}"#).sourcePort == 59154)
        #expect(try allow(#"{"source_port": "x"}"#).sourcePort == nil)
    }

    @Test func methodAndURLAreValidated() {
        #expect(throws: SidebandAnswerError.invalidMethod) { try requestDecision(#"{"method": "GET /x"}"#) }
        #expect(throws: SidebandAnswerError.invalidMethod) { try requestDecision(#"{"method": ""}"#) }
        #expect(throws: SidebandAnswerError.wrongType("method")) { try requestDecision(#"{"method": 1}"#) }
        #expect(throws: SidebandAnswerError.invalidURL) { try requestDecision(#"{"url": "http://a b/"}"#) }
        #expect(throws: SidebandAnswerError.invalidURL) { try requestDecision(#"{"url": "nonsense"}"#) }
        #expect(throws: SidebandAnswerError.wrongType("url")) { try requestDecision(#"{"url": ["x"]}"#) }
    }

    @Test func headerValuesWithLineBreaksAreRejected() {
        #expect(throws: SidebandAnswerError.invalidHeader("headers")) {
            try requestDecision(#"{"headers": [{"X-Injected": "a\r\nHost: evil"}]}"#)
        }
    }

    @Test func unsupportedChangesAreReportedNotApplied() throws {
        let allowed = try allow(#"{"source_ip": "10.9.9.9", "source_port": "1", "client_certificate": {"kty": "RSA"}}"#)
        let changes = allowed.unsupportedChanges(
            sentSourceIP: "127.0.0.1",
            sentSourcePort: 1,
            sentClientCertificate: nil
        )
        #expect(changes == ["source_ip", "client_certificate"])
        #expect(
            try allow("{}").unsupportedChanges(sentSourceIP: "a", sentSourcePort: 1, sentClientCertificate: nil).isEmpty
        )
    }
}

@Suite struct ResponseAnswerTests {
    @Test func aFlatObjectWithStatusHeadersAndBody() throws {
        let decision = try SidebandAnswerParser.parseResponseAnswer(
            ByteBuffer(
                string:
                    #"{"response_code": "201", "response_status": "OK", "body": "replaced", "headers": [{"x-pdp-added": "yes"}]}"#
            )
        )
        #expect(decision.status == 201)
        #expect(decision.body == "replaced")
        #expect(flattened(decision.headers) == ["x-pdp-added: yes"])
    }

    @Test func missingBodyIsEmptyAndMissingHeadersNone() throws {
        let decision = try SidebandAnswerParser.parseResponseAnswer(ByteBuffer(string: #"{"response_code": 200}"#))
        #expect(decision.status == 200)
        #expect(decision.body == "")
        #expect(decision.headers.isEmpty)
    }

    @Test func theStatusIsRequired() {
        #expect(throws: SidebandAnswerError.missingField("response_code")) {
            try SidebandAnswerParser.parseResponseAnswer(ByteBuffer(string: #"{"body": "x"}"#))
        }
        #expect(throws: SidebandAnswerError.invalidStatus("response_code")) {
            try SidebandAnswerParser.parseResponseAnswer(ByteBuffer(string: #"{"response_code": 1000}"#))
        }
    }
}

@Suite struct MalformedAnswerTests {
    @Test func notJSONTrailingGarbageAndNonObjectsAreRejected() {
        #expect(throws: SidebandAnswerError.notJSON) { try requestDecision("this is not json") }
        #expect(throws: SidebandAnswerError.notJSON) { try requestDecision(#"{"response": {"response_code": 403}} x"#) }
        #expect(throws: SidebandAnswerError.notJSON) { try requestDecision("") }
        #expect(throws: SidebandAnswerError.notAnObject) { try requestDecision("[]") }
        #expect(throws: SidebandAnswerError.notAnObject) { try requestDecision(#""allow""#) }
        #expect(throws: SidebandAnswerError.notAnObject) {
            try SidebandAnswerParser.parseResponseAnswer(ByteBuffer(string: "null"))
        }
    }

    @Test func deepNestingIsRejected() {
        let deep = #"{"state": "# + String(repeating: "[", count: 70) + String(repeating: "]", count: 70) + "}"
        #expect(throws: SidebandAnswerError.tooDeep) { try requestDecision(deep) }
    }

    @Test func errorsHaveBoundedDescriptionsAndStableLabels() throws {
        let error = try #require(throws: SidebandAnswerError.self) {
            try requestDecision(#"{"method": ""# + String(repeating: "x y", count: 500) + #""}"#)
        }
        #expect(error == .invalidMethod)
        #expect(error.shortDescription == "invalid_method")
        #expect(error.description.count < 200)
    }
}

@Suite struct ErrorSummaryTests {
    @Test func extractsMessageIDAndCode() {
        let summary = SidebandAnswerParser.errorSummary(
            ByteBuffer(string: #"{"message": "The Gateway Token is invalid", "id": "a1b2", "code": "INVALID_TOKEN"}"#)
        )
        #expect(summary.message == "The Gateway Token is invalid")
        #expect(summary.id == "a1b2")
        #expect(summary.code == "INVALID_TOKEN")
    }

    @Test func neverThrowsOnAnything() {
        for text in ["", "not json", "[1]", #"{"message": 5, "code": {"x": 1}}"#, #"{"id": null}"#] {
            let summary = SidebandAnswerParser.errorSummary(ByteBuffer(string: text))
            #expect(summary.id == nil)
            #expect(summary.code == nil)
        }
        #expect(SidebandAnswerParser.errorSummary(ByteBuffer(string: #"{"message": 5}"#)).message == "5")
    }

    @Test func longMessagesAreCut() {
        let summary = SidebandAnswerParser.errorSummary(
            ByteBuffer(string: #"{"message": ""# + String(repeating: "m", count: 5000) + #""}"#)
        )
        #expect((summary.message?.count ?? 0) <= 201)
    }
}
