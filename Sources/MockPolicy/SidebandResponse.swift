import NIOCore
import SidebandProtocol

/// A `/sideband/response` payload (SIDEBAND.md §4) as the rules see it, with the original request
/// recovered according to the context method.
final class SidebandResponse {
    let root: JSONValue
    /// The upstream status (`response_code`, a string or a number in the payload).
    let status: Int
    let method: String
    let url: String
    let contextMethod: MockSettings.ContextMethod

    /// The original request: from `state`, from `request`, or only its method and url. Decoded when a rule
    /// first needs it (most response rules never do).
    lazy var request: SidebandRequest =
        Self.originalRequest(self.root, contextMethod: self.contextMethod)
        ?? SidebandRequest(method: self.method, url: self.url)

    /// Validates the shape: an object with `response_code` (100...999), string `method` and `url`,
    /// `headers` a list of objects with string values, `body` a string.
    init(payload root: JSONValue, contextMethod: MockSettings.ContextMethod) throws(PayloadError) {
        guard root.kind == .object else { throw PayloadError("the response payload must be a JSON object") }
        guard let code = root["response_code"], let status = code.integer ?? code.string.flatMap({ Int($0) }),
            (100...999).contains(status)
        else {
            throw PayloadError("the response payload needs a \"response_code\" (e.g. \"200\")")
        }
        guard let method = root["method"]?.string, !method.isEmpty else {
            throw PayloadError("the response payload needs a string \"method\"")
        }
        guard let url = root["url"]?.string else { throw PayloadError("the response payload needs a string \"url\"") }
        try SidebandRequest.validateHeaders(root["headers"])
        if let body = root["body"], body.kind != .string, !body.isNull {
            throw PayloadError("\"body\" must be a string")
        }
        self.root = root
        self.status = status
        self.method = method
        self.url = url
        self.contextMethod = contextMethod
    }

    lazy var headers: [SidebandRequest.Header] = SidebandRequest.decodeHeaders(self.root["headers"])

    func headerValues(_ lowercasedName: String) -> [String] {
        self.headers.compactMap { $0.lowercasedName == lowercasedName ? $0.value : nil }
    }

    lazy var body: String = self.root["body"]?.string ?? ""

    lazy var bodyJSON: JSONValue? = SidebandRequest.parseJSON(self.body)

    /// `state` first with `.state`, `request` first with `.request` (each falls back to the other, so a
    /// gateway that sends the other kind still works); nothing with `.none`. A `state` this mock did not
    /// write (not base64url of a request payload) is ignored.
    static func originalRequest(_ root: JSONValue, contextMethod: MockSettings.ContextMethod) -> SidebandRequest? {
        switch contextMethod {
        case .none:
            return nil
        case .state:
            return Self.fromState(root["state"]) ?? Self.fromRequest(root["request"])
        case .request:
            return Self.fromRequest(root["request"]) ?? Self.fromState(root["state"])
        }
    }

    private static func fromRequest(_ value: JSONValue?) -> SidebandRequest? {
        guard let value, value.kind == .object else { return nil }
        return try? SidebandRequest(payload: value, fallbackSourceIP: nil)
    }

    private static func fromState(_ value: JSONValue?) -> SidebandRequest? {
        guard let text = value?.string, let bytes = Base64URL.decode(text.utf8),
            let document = try? JSONParser.parse(bytes), document.root.kind == .object
        else { return nil }
        return try? SidebandRequest(payload: document.root, fallbackSourceIP: nil)
    }
}
