public import NIOCore

/// Reads the policy provider's answers (SIDEBAND.md §3, §5, §6).
///
/// Tolerant where providers differ in harmless ways (a status as `"403"` or `403`; a header value as a
/// string or an array of strings; `headers` as the usual list of single-key objects or, as the plugin's
/// empty `{}`, an object; `null` for an optional member) and strict where a mistake would reach the wire
/// or weaken a decision: a malformed answer throws and the gateway fails closed.
public enum SidebandAnswerParser {
    /// The 200 answer of `/sideband/request`.
    ///
    /// A `response` member that is an object makes it a deny: `response_code` is required, `headers`
    /// (missing = none) and `body` (missing = `""`) are optional, everything else in the answer is
    /// ignored. A `response` member of any other type (`null` included) throws rather than guessing
    /// between deny and allow. Without `response` it is an allow: each member is optional and validated
    /// (`method` a token, `url` parseable, header names tokens, header values without CR/LF/NUL).
    public static func parseRequestAnswer(_ body: ByteBuffer) throws(SidebandAnswerError) -> RequestDecision {
        let root = try Self.rootObject(body)
        if let response = root["response"] {
            guard response.kind == .object else { throw SidebandAnswerError.wrongType("response") }
            return .deny(
                DenyResponse(
                    status: try Self.status(response["response_code"], field: "response.response_code"),
                    headers: try Self.headers(response["headers"], field: "response.headers") ?? [],
                    body: try Self.bodyText(response["body"], field: "response.body")
                )
            )
        }
        var allowed = AllowedRequest()
        allowed.headers = try Self.headers(root["headers"], field: "headers")
        if let method = try Self.optionalString(root["method"], field: "method") {
            guard HTTPSyntax.isToken(method) else { throw SidebandAnswerError.invalidMethod.with(detail: method) }
            allowed.method = method
        }
        if let url = try Self.optionalString(root["url"], field: "url") {
            guard AnswerURL.parse(url) != nil else { throw SidebandAnswerError.invalidURL.with(detail: url) }
            allowed.url = url
        }
        if let body = root["body"] {
            switch body.kind {
            case .null: allowed.body = .some(nil)
            case .string: allowed.body = .some(body.string)
            case .object, .array, .number, .bool: throw SidebandAnswerError.wrongType("body")
            }
        }
        allowed.state = root["state"].map { ByteBuffer(bytes: $0.rawBytes.readableBytesView) }
        allowed.sourceIP = root["source_ip"]?.string
        if let port = root["source_port"] {
            allowed.sourcePort = port.integer ?? port.string.flatMap { Self.digits($0) }
        }
        allowed.clientCertificate = root["client_certificate"].map { ByteBuffer(bytes: $0.rawBytes.readableBytesView) }
        return .allow(allowed)
    }

    /// The 200 answer of `/sideband/response`: a flat object with `response_code` (required, string or
    /// number), `headers` (missing = none) and `body` (missing = `""`). `response_status` is ignored: the
    /// status line's phrase is ours.
    public static func parseResponseAnswer(_ body: ByteBuffer) throws(SidebandAnswerError) -> ResponseDecision {
        let root = try Self.rootObject(body)
        return ResponseDecision(
            status: try Self.status(root["response_code"], field: "response_code"),
            headers: try Self.headers(root["headers"], field: "headers") ?? [],
            body: try Self.bodyText(root["body"], field: "body")
        )
    }

    /// The `message`, `id` and `code` of an error answer (4xx/5xx, e.g. PingAuthorize's 401 "The Gateway
    /// Token is invalid"), for logs. Never throws: anything missing, non-JSON or oddly typed gives nil.
    /// Strings and numbers are taken; each is cut to 200 characters.
    public static func errorSummary(_ body: ByteBuffer) -> (message: String?, id: String?, code: String?) {
        guard let root = try? JSONParser.parse(body).root, root.kind == .object else { return (nil, nil, nil) }
        func text(_ key: String) -> String? {
            guard let value = root[key], let text = value.string ?? value.numberText else { return nil }
            return text.count <= 200 ? text : String(text.prefix(200)) + "…"
        }
        return (text("message"), text("id"), text("code"))
    }

    // MARK: - Members

    private static func rootObject(_ body: ByteBuffer) throws(SidebandAnswerError) -> JSONValue {
        let root = try JSONParser.parse(body).root
        guard root.kind == .object else { throw SidebandAnswerError.notAnObject }
        return root
    }

    /// A status as a JSON integer or a string of 3 digits, in 100...599.
    private static func status(_ value: JSONValue?, field: String) throws(SidebandAnswerError) -> Int {
        guard let value, !value.isNull else { throw SidebandAnswerError.missingField(field) }
        let status: Int?
        switch value.kind {
        case .number: status = value.integer
        case .string: status = value.string.flatMap { $0.utf8.count == 3 ? Self.digits($0) : nil }
        case .object, .array, .bool, .null: throw SidebandAnswerError.wrongType(field)
        }
        guard let status, (100...599).contains(status) else {
            throw SidebandAnswerError.invalidStatus(field).with(detail: value.rawText)
        }
        return status
    }

    /// A string made only of ASCII digits (at most 9, so it fits), else nil.
    private static func digits(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 9,
            text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(text)
    }

    /// nil when absent or `null`, the string when a string, else `wrongType`.
    private static func optionalString(_ value: JSONValue?, field: String) throws(SidebandAnswerError) -> String? {
        guard let value, !value.isNull else { return nil }
        guard let string = value.string else { throw SidebandAnswerError.wrongType(field) }
        return string
    }

    /// A deny or final response body: `""` when absent or `null`; an object or array as its JSON text.
    private static func bodyText(_ value: JSONValue?, field: String) throws(SidebandAnswerError) -> String {
        guard let value else { return "" }
        switch value.kind {
        case .null: return ""
        case .string: return value.string ?? ""
        case .object, .array: return value.rawText
        case .number, .bool: throw SidebandAnswerError.wrongType(field)
        }
    }

    /// `[{"Name":"v"}, {"Name":["a","b"]}, ...]` or `{"Name":"v", ...}`, flattened to one entry per value.
    /// nil when absent or `null`.
    private static func headers(
        _ value: JSONValue?,
        field: String
    ) throws(SidebandAnswerError) -> [(name: String, value: String)]? {
        guard let value, !value.isNull else { return nil }
        var headers: [(name: String, value: String)] = []
        switch value.kind {
        case .array:
            headers.reserveCapacity(value.count)
            for entry in value.elements {
                guard entry.kind == .object else { throw SidebandAnswerError.wrongType(field) }
                try Self.appendHeaders(of: entry, field: field, to: &headers)
            }
        case .object:
            try Self.appendHeaders(of: value, field: field, to: &headers)
        case .string, .number, .bool, .null:
            throw SidebandAnswerError.wrongType(field)
        }
        return headers
    }

    private static func appendHeaders(
        of object: JSONValue,
        field: String,
        to headers: inout [(name: String, value: String)]
    ) throws(SidebandAnswerError) {
        for (name, value) in object.members {
            guard HTTPSyntax.isToken(name) else { throw SidebandAnswerError.invalidHeader(field).with(detail: name) }
            switch value.kind {
            case .string:
                try Self.appendHeader(name: name, value: value, field: field, to: &headers)
            case .array:
                for element in value.elements {
                    try Self.appendHeader(name: name, value: element, field: field, to: &headers)
                }
            case .object, .number, .bool, .null:
                throw SidebandAnswerError.wrongType(field).with(detail: name)
            }
        }
    }

    private static func appendHeader(
        name: String,
        value: JSONValue,
        field: String,
        to headers: inout [(name: String, value: String)]
    ) throws(SidebandAnswerError) {
        guard let text = value.string else { throw SidebandAnswerError.wrongType(field).with(detail: name) }
        guard HTTPSyntax.isSafeFieldValue(text) else {
            throw SidebandAnswerError.invalidHeader(field).with(detail: name)
        }
        headers.append((name, text))
    }
}
