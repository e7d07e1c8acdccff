import NIOCore
import SidebandProtocol
import Testing

@testable import MockPolicy

/// A client request as the gateway describes it: payloads are written with the gateway's own
/// `SidebandPayloadWriter`, and answers are read back with its `SidebandAnswerParser` and `RequestDiff`,
/// so every test checks what a gateway would actually do with the mock's answer.
struct ClientRequest {
    var method = "GET"
    var scheme = "https"
    var host = "api.example.com"
    var port = 443
    var path = "/"
    var query: String?
    var headers: [(name: String, value: String)] = [("host", "api.example.com")]
    /// nil: no body (`"body":""`).
    var body: String?
    var sourceIP = "203.0.113.24"
    var sourcePort = 51722
    /// Raw JSON of the `client_certificate` member.
    var clientCertificate: String?

    init(_ method: String = "GET", _ path: String = "/", query: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
    }

    func header(_ name: String, _ value: String) -> ClientRequest {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }

    func body(_ text: String) -> ClientRequest {
        var copy = self
        copy.body = text
        return copy
    }

    var sidebandBody: SidebandBody {
        self.body.map { .bytes(ByteBuffer(string: $0)) } ?? .empty
    }

    /// The `/sideband/request` payload and the byte range of its url (kept for the response phase).
    func payload() -> (payload: ByteBuffer, url: ByteBuffer) {
        var buffer = ByteBuffer()
        let description = SidebandRequestDescription(
            sourceIP: self.sourceIP,
            sourcePort: self.sourcePort,
            method: self.method,
            scheme: self.scheme,
            host: self.host,
            port: self.port,
            path: self.path,
            query: self.query.map { Substring($0) },
            httpVersion: "1.1",
            headers: self.headers,
            body: self.sidebandBody,
            clientCertificate: self.clientCertificate.map { ByteBuffer(string: $0) }
        )
        let range = SidebandPayloadWriter.writeRequest(description, into: &buffer)
        return (buffer, buffer.getSlice(at: range.lowerBound, length: range.count)!)
    }
}

/// What the upstream answered, for the response phase.
struct UpstreamResponse {
    var status = 200
    var headers: [(name: String, value: String)] = [("content-type", "application/json")]
    var body = ""

    init(_ status: Int = 200, body: String = "", headers: [(name: String, value: String)]? = nil) {
        self.status = status
        self.body = body
        if let headers { self.headers = headers }
    }
}

/// The mock's request-phase answer as the gateway reads it.
struct RequestPhase {
    var request: ClientRequest
    var payload: ByteBuffer
    var url: ByteBuffer
    var answer: MockAnswer
    var decision: RequestDecision

    /// The allow as parsed by the gateway; fails the test for a deny.
    func allowed() throws -> AllowedRequest {
        guard case .allow(let allowed) = self.decision else {
            throw HarnessError("expected an allow, got a deny (rule \(self.answer.ruleName))")
        }
        return allowed
    }

    /// What the gateway would change upstream, through the gateway's own diff.
    func changes() throws -> RequestChanges {
        let allowed = try self.allowed()
        return RequestDiff.changes(
            sentHeaders: self.request.headers,
            sentMethod: self.request.method,
            sentScheme: self.request.scheme,
            sentHost: self.request.host,
            sentPort: self.request.port,
            sentPath: self.request.path,
            sentQuery: self.request.query.map { Substring($0) },
            sentBody: self.request.sidebandBody,
            answer: allowed
        )
    }

    /// The deny as parsed by the gateway; fails the test for an allow.
    func denied() throws -> DenyResponse {
        guard case .deny(let deny) = self.decision else {
            throw HarnessError("expected a deny, got an allow (rule \(self.answer.ruleName))")
        }
        return deny
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension MockRules {
    /// Parses rules written in a test.
    static func test(_ yaml: String) throws -> MockRules {
        try MockRules.parse(yaml, sourceName: "test.yml")
    }

    /// Sends `request` through the request phase.
    func requestPhase(_ request: ClientRequest, sourceIP: String? = nil) throws -> RequestPhase {
        let (payload, url) = request.payload()
        let answer = self.answerRequest(payload, sourceIP: sourceIP)
        try #require(answer.status == 200, "status \(answer.status): \(String(buffer: answer.body))")
        let decision = try SidebandAnswerParser.parseRequestAnswer(answer.body)
        return RequestPhase(request: request, payload: payload, url: url, answer: answer, decision: decision)
    }

    /// Sends the upstream response through the response phase, as the gateway does: with the request
    /// phase's `state` when it returned one, else with the `request` payload.
    func responsePhase(
        _ response: UpstreamResponse,
        after phase: RequestPhase
    ) throws -> (answer: MockAnswer, decision: ResponseDecision) {
        let allowed = try phase.allowed()
        var buffer = ByteBuffer()
        SidebandPayloadWriter.writeResponse(
            method: phase.request.method,
            url: phase.url,
            httpVersion: "1.1",
            statusCode: response.status,
            headers: response.headers,
            body: response.body.isEmpty ? .empty : .bytes(ByteBuffer(string: response.body)),
            context: allowed.state.map { .state($0) } ?? .request(phase.payload),
            into: &buffer
        )
        let answer = self.answerResponse(buffer)
        try #require(answer.status == 200, "status \(answer.status): \(String(buffer: answer.body))")
        return (answer, try SidebandAnswerParser.parseResponseAnswer(answer.body))
    }

    /// Request phase (which must allow), then the response phase.
    func roundTrip(
        _ request: ClientRequest,
        _ response: UpstreamResponse
    ) throws -> (answer: MockAnswer, decision: ResponseDecision) {
        try self.responsePhase(response, after: self.requestPhase(request))
    }
}

/// Lookups in header lists.
extension Array where Element == (name: String, value: String) {
    func values(_ name: String) -> [String] {
        self.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }
}

extension RequestChanges {
    func setValues(_ name: String) -> [String]? {
        self.setHeaders.first { $0.name == name.lowercased() }?.values
    }
}

/// Parses a JSON text (an answer body, a deny body) for assertions.
func json(_ text: String) throws -> JSONValue {
    try JSONParser.parse(ByteBuffer(string: text)).root
}
