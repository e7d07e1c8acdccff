import NIOCore
import SidebandProtocol

/// What templates read while one call is decided: the request (in the response phase the original one),
/// the response in the response phase, and the captures of the matching rule.
struct EvaluationContext {
    private let currentRequest: SidebandRequest?
    let response: SidebandResponse?
    var captures: Captures

    /// The request phase: the request being decided.
    init(request: SidebandRequest, captures: Captures) {
        self.currentRequest = request
        self.response = nil
        self.captures = captures
    }

    /// The response phase: the original request is recovered only if a template reads it.
    init(response: SidebandResponse, captures: Captures) {
        self.currentRequest = nil
        self.response = response
        self.captures = captures
    }

    var request: SidebandRequest {
        // One of the two is always set (see the initialisers).
        self.currentRequest ?? self.response!.request
    }

    /// The text of a reference, filters applied; `""` for anything missing.
    func text(_ reference: TemplateReference) -> String {
        var text: String
        if reference.jsonPath != nil {
            text = self.jsonValue(reference)?.text ?? ""
        } else {
            text = self.sourceText(reference.source) ?? ""
        }
        for filter in reference.filters {
            switch filter {
            case .lower: text = text.lowercased()
            case .upper: text = text.uppercased()
            case .urlencode: text = QueryString.encode(text)
            case .json:
                var buffer = ByteBuffer()
                buffer.writeJSONStringContents(text)
                text = String(buffer: buffer)
            }
        }
        return text
    }

    /// The JSON value a reference with a path points at: the body's, or that of a text holding JSON or a
    /// JWT (`header.payload.signature`: the payload is read; the signature is not checked).
    func jsonValue(_ reference: TemplateReference) -> JSONValue? {
        guard let path = reference.jsonPath else { return nil }
        let root: JSONValue?
        switch reference.source {
        case .requestBody: root = self.request.bodyJSON
        case .responseBody: root = self.response?.bodyJSON
        default: root = self.sourceText(reference.source).flatMap(Self.parseEmbeddedJSON)
        }
        return root.flatMap { path.lookup(in: $0) }
    }

    private func sourceText(_ source: TemplateReference.Source) -> String? {
        switch source {
        case .capture(let name): return self.captures.value(name)
        case .requestMethod: return self.request.method
        case .requestURL: return self.request.url
        case .requestPath: return String(self.request.path)
        case .requestHost: return self.request.host
        case .requestQuery: return self.request.query.map(String.init)
        case .requestQueryParameter(let name): return self.request.queryValues(name).first
        case .requestHeader(let name): return self.request.headerValues(name).first
        case .requestBody: return self.request.body
        case .requestSourceIP: return self.request.sourceIP
        case .responseStatus: return self.response.map { String($0.status) }
        case .responseHeader(let name): return self.response?.headerValues(name).first
        case .responseBody: return self.response?.body
        }
    }

    /// JSON text, or the payload of a JWT.
    static func parseEmbeddedJSON(_ text: String) -> JSONValue? {
        if let value = SidebandRequest.parseJSON(text) { return value }
        let segments = text.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3, let payload = Base64URL.decode(segments[1].utf8),
            let document = try? JSONParser.parse(payload)
        else { return nil }
        return document.root
    }
}

extension Template {
    func render(_ context: EvaluationContext) -> String {
        if let text = self.constantText { return text }
        var result = ""
        for part in self.parts {
            switch part {
            case .text(let text): result += text
            case .reference(let reference): result += context.text(reference)
            }
        }
        return result
    }
}
