import SidebandProtocol
public import Foundation

/// The client request the `sideband` target describes to the policy provider, over and over: what a
/// gateway would have received. Read from a JSON file (`--template`), or ``synthetic`` when none is given.
///
/// ```json
/// {
///   "method": "POST",
///   "url": "https://api.example.com/orders?id=1",
///   "headers": [{"host": "api.example.com"}, {"content-type": "application/json"}],
///   "body": "{\"item\":\"book\",\"quantity\":1}",
///   "source_ip": "10.0.0.1",
///   "source_port": 51000,
///   "http_version": "1.1",
///   "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": "{\"id\":1}"}
/// }
/// ```
///
/// Only `url` is required. `headers` is a list of single-key objects (order kept, as the gateway sends
/// them) or one object (then sorted by name, since JSON objects have no order); a value may be a string or
/// a list of strings (one header line each). Without a `host` header, one is added from the url, first.
/// `response` is the upstream response described to `/sideband/response` when the response phase is on
/// (default: 200, `content-type: application/json`, body `{"ok":true}`). Unknown keys are an error, so a
/// misspelt key is never silently ignored.
public struct RequestTemplate: Sendable, Equatable {
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The upstream response of the response phase.
    public struct UpstreamResponse: Sendable, Equatable {
        public var status: Int
        public var headers: [Header]
        public var body: String

        public init(status: Int = 200, headers: [Header], body: String) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static let standard = UpstreamResponse(
            status: 200,
            headers: [Header("content-type", "application/json"), Header("content-length", "11")],
            body: #"{"ok":true}"#
        )
    }

    /// Default `GET`.
    public var method: String
    public var url: TargetURL
    public var headers: [Header]
    /// Default empty.
    public var body: String
    /// Default `203.0.113.10` (TEST-NET-3: never a real client).
    public var sourceIP: String
    /// Default 50000.
    public var sourcePort: Int
    /// `"1.1"` (default) or `"1.0"`.
    public var httpVersion: String
    public var response: UpstreamResponse

    public init(
        method: String = "GET",
        url: TargetURL,
        headers: [Header],
        body: String = "",
        sourceIP: String = "203.0.113.10",
        sourcePort: Int = 50000,
        httpVersion: String = "1.1",
        response: UpstreamResponse = .standard
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.sourceIP = sourceIP
        self.sourcePort = sourcePort
        self.httpVersion = httpVersion
        self.response = response
    }

    /// `GET https://bench.example/anything` with the headers a typical API client sends.
    public static let synthetic = RequestTemplate(
        url: TargetURL("https://bench.example/anything")!,
        headers: [
            Header("host", "bench.example"),
            Header("user-agent", "ping-auth-proxy-bench"),
            Header("accept", "application/json"),
            Header("accept-encoding", "gzip, deflate"),
            Header("authorization", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJiZW5jaCJ9."),
            Header("x-request-id", "00000000-0000-4000-8000-000000000000"),
        ]
    )

    /// Reads a template file.
    public static func load(path: String) throws(RequestTemplateError) -> RequestTemplate {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw RequestTemplateError("\(path): cannot read: \(error.localizedDescription)")
        }
        do {
            return try Self.decode(data)
        } catch {
            throw RequestTemplateError("\(path): \(error)")
        }
    }

    /// Parses and validates a template's JSON text.
    public static func decode(_ data: Data) throws(RequestTemplateError) -> RequestTemplate {
        let raw: RawTemplate
        do {
            raw = try JSONDecoder().decode(RawTemplate.self, from: data)
        } catch let error as RequestTemplateError {
            throw error
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw RequestTemplateError("\(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw RequestTemplateError("\(Self.path(context.codingPath + [key])): required")
        } catch {
            throw RequestTemplateError("not a JSON template: \(error)")
        }
        guard let url = TargetURL(raw.url) else {
            throw RequestTemplateError("url: expected http(s)://host[:port][/path][?query], got \(raw.url)")
        }
        var template = RequestTemplate(url: url, headers: raw.headers ?? [])
        if let method = raw.method {
            guard HTTPSyntax.isToken(method) else { throw RequestTemplateError("method: not an HTTP method: \(method)") }
            template.method = method
        }
        template.body = raw.body ?? ""
        template.sourceIP = raw.sourceIP ?? template.sourceIP
        if let port = raw.sourcePort {
            guard (0...65535).contains(port) else { throw RequestTemplateError("source_port: must be 0...65535") }
            template.sourcePort = port
        }
        if let version = raw.httpVersion {
            guard version == "1.1" || version == "1.0" else {
                throw RequestTemplateError(#"http_version: "1.1" or "1.0" (HTTP/2 is not described), got \#(version)"#)
            }
            template.httpVersion = version
        }
        for header in template.headers {
            guard HTTPSyntax.isToken(header.name), HTTPSyntax.isSafeFieldValue(header.value) else {
                throw RequestTemplateError("headers: invalid header \(header.name)")
            }
        }
        if !template.headers.contains(where: { $0.name.lowercased() == "host" }) {
            template.headers.insert(Header("host", url.hostHeader), at: 0)
        }
        if let response = raw.response {
            let status = response.status ?? 200
            guard (100...599).contains(status) else { throw RequestTemplateError("response.status: must be 100...599") }
            let body = response.body ?? ""
            var headers = response.headers ?? [Header("content-type", "application/json")]
            for header in headers {
                guard HTTPSyntax.isToken(header.name), HTTPSyntax.isSafeFieldValue(header.value) else {
                    throw RequestTemplateError("response.headers: invalid header \(header.name)")
                }
            }
            if !headers.contains(where: { $0.name.lowercased() == "content-length" }) {
                headers.append(Header("content-length", String(body.utf8.count)))
            }
            template.response = UpstreamResponse(status: status, headers: headers, body: body)
        }
        return template
    }

    // MARK: - Syntax

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }
            .description
    }
}

/// Why a template cannot be used; `message` names the key.
public struct RequestTemplateError: Error, Sendable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { self.message }
}

// MARK: - Decoding

/// Any key, to list the keys a JSON object has.
private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { self.stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

private func refuseUnknownKeys(_ container: KeyedDecodingContainer<AnyKey>, allowed: Set<String>, in place: String)
    throws
{
    for key in container.allKeys where !allowed.contains(key.stringValue) {
        let known = allowed.sorted().joined(separator: ", ")
        throw RequestTemplateError("\(place)\(key.stringValue): unknown key (expected one of: \(known))")
    }
}

private struct RawTemplate: Decodable {
    var method: String?
    var url: String
    var headers: [RequestTemplate.Header]?
    var body: String?
    var sourceIP: String?
    var sourcePort: Int?
    var httpVersion: String?
    var response: RawResponse?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try refuseUnknownKeys(
            container,
            allowed: ["method", "url", "headers", "body", "source_ip", "source_port", "http_version", "response"],
            in: ""
        )
        self.method = try container.decodeIfPresent(String.self, forKey: AnyKey("method"))
        self.url = try container.decode(String.self, forKey: AnyKey("url"))
        self.headers = try container.decodeIfPresent(RawHeaders.self, forKey: AnyKey("headers"))?.headers
        self.body = try container.decodeIfPresent(String.self, forKey: AnyKey("body"))
        self.sourceIP = try container.decodeIfPresent(String.self, forKey: AnyKey("source_ip"))
        self.sourcePort = try container.decodeIfPresent(Int.self, forKey: AnyKey("source_port"))
        self.httpVersion = try container.decodeIfPresent(String.self, forKey: AnyKey("http_version"))
        self.response = try container.decodeIfPresent(RawResponse.self, forKey: AnyKey("response"))
    }
}

private struct RawResponse: Decodable {
    var status: Int?
    var headers: [RequestTemplate.Header]?
    var body: String?

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        try refuseUnknownKeys(container, allowed: ["status", "headers", "body"], in: "response.")
        self.status = try container.decodeIfPresent(Int.self, forKey: AnyKey("status"))
        self.headers = try container.decodeIfPresent(RawHeaders.self, forKey: AnyKey("headers"))?.headers
        self.body = try container.decodeIfPresent(String.self, forKey: AnyKey("body"))
    }
}

/// `[{"name": "value"}, {"name": ["a", "b"]}, ...]` or `{"name": "value", ...}`.
private struct RawHeaders: Decodable {
    var headers: [RequestTemplate.Header] = []

    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            while !list.isAtEnd {
                let entry = try list.decode(RawHeaders.self)
                self.headers += entry.headers
            }
            return
        }
        let object = try decoder.container(keyedBy: AnyKey.self)
        for key in object.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if let value = try? object.decode(String.self, forKey: key) {
                self.headers.append(RequestTemplate.Header(key.stringValue, value))
            } else {
                for value in try object.decode([String].self, forKey: key) {
                    self.headers.append(RequestTemplate.Header(key.stringValue, value))
                }
            }
        }
    }
}
