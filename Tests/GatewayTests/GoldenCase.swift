import Foundation
import TestSupport

// MARK: - JSON

/// A parsed JSON value for comparing payloads: objects are unordered (both the plugin's Lua-hash key order
/// and ours are irrelevant to a policy), numbers are `Double`. Decoded with `JSONDecoder`, which, unlike
/// `JSONSerialization` on Linux, tells booleans from numbers.
enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    static func decode(_ data: Data) throws -> JSON {
        try JSONDecoder().decode(JSON.self, from: data)
    }

    subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var object: [String: JSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    var array: [JSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    var int: Int? {
        if case .number(let value) = self, value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        return nil
    }

    /// The `headers` shape of sideband payloads, a list of single-key objects, as (name, value) pairs.
    /// The plugin's empty `{}` (and any object) reads as its members.
    var headerEntries: [(name: String, value: String)] {
        var entries: [(name: String, value: String)] = []
        func append(_ members: [String: JSON]) {
            for name in members.keys.sorted() {
                let value = members[name]!
                entries.append((name: name, value: value.string ?? value.text))
            }
        }
        switch self {
        case .array(let elements):
            for element in elements { append(element.object ?? [:]) }
        case .object(let members):
            append(members)
        case .null, .bool, .number, .string:
            break
        }
        return entries
    }

    /// Compact JSON text; object keys sorted so that the text is deterministic.
    var text: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let value): return self.int.map { String($0) } ?? String(value)
        case .string(let value): return Self.quoted(value)
        case .array(let elements): return "[" + elements.map(\.text).joined(separator: ",") + "]"
        case .object(let members):
            let pairs = members.keys.sorted().map { Self.quoted($0) + ":" + members[$0]!.text }
            return "{" + pairs.joined(separator: ",") + "}"
        }
    }

    /// `text`, cut for failure messages (bodies can be 20 000 characters).
    var shortText: String { Self.shortened(self.text) }

    static func shortened(_ text: String, limit: Int = 400) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "… (\(text.count) characters)"
    }

    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension JSON: Decodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: Key.self) {
            var members: [String: JSON] = [:]
            for key in container.allKeys { members[key.stringValue] = try container.decode(JSON.self, forKey: key) }
            self = .object(members)
        } else if var container = try? decoder.unkeyedContainer() {
            var elements: [JSON] = []
            while !container.isAtEnd { elements.append(try container.decode(JSON.self)) }
            self = .array(elements)
        } else {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }
}

// MARK: - Corpus

/// The golden corpus of the original plugin (`golden/lua`, `golden/paz`), a sibling of the repository:
/// `<repo>/../shared/golden`. CI provides it; without it every golden test fails saying where it looked.
enum GoldenCorpus {
    /// `Tests/GatewayTests/GoldenCase.swift` → up three levels is the repository root.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/golden")

    static var casesDirectory: URL { directory.appendingPathComponent("lua/cases") }

    /// Cases that cannot apply to this release, with the reason.
    static let skippedCases: [Int: String] = [
        47: "h2c (HTTP/2 with prior knowledge): HTTP/2 is a later release; "
            + "the plugin answered 400 before any sideband call"
    ]

    /// 65–69 depend on each other (one circuit breaker, real time) and run in order in one test.
    static let circuitBreakerCaseNumbers = Array(65...69)

    /// Every other case, one gateway each.
    static let replayedCaseNumbers = (1...64).filter { skippedCases[$0] == nil }

    static func requireDirectory(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TestError(
                "golden corpus not found at \(url.path) "
                    + "(looked for <repository>/../shared/golden, derived from \(#filePath))"
            )
        }
    }

    /// The case files' names, sorted.
    static func caseFiles() throws -> [String] {
        try requireDirectory(casesDirectory)
        return try FileManager.default.contentsOfDirectory(atPath: casesDirectory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    static func load(number: Int) throws -> GoldenCase {
        let prefix = (number < 10 ? "0" : "") + "\(number)-"
        guard let file = try caseFiles().first(where: { $0.hasPrefix(prefix) }) else {
            throw TestError("no case \(prefix)*.json in \(casesDirectory.path)")
        }
        let document = try JSON.decode(Data(contentsOf: casesDirectory.appendingPathComponent(file)))
        return try GoldenCase(number: number, file: file, document: document)
    }

    /// One real PingAuthorize answer from `golden/paz/captured-answers.json`.
    struct CapturedAnswer: Sendable {
        var name: String
        /// `/sideband/request` or `/sideband/response`.
        var call: String
        var status: Int
        var headers: [(String, String)]
        var body: String
    }

    static func capturedAnswers() throws -> [CapturedAnswer] {
        let url = directory.appendingPathComponent("paz/captured-answers.json")
        try requireDirectory(url.deletingLastPathComponent())
        let document = try JSON.decode(Data(contentsOf: url))
        return (document["examples"]?.array ?? []).map { example in
            CapturedAnswer(
                name: "\(example["folder"]?.string ?? "?") / \(example["name"]?.string ?? "?")",
                call: example["sideband_call"]?.string ?? "",
                status: example["answer_status"]?.int ?? 0,
                headers: (example["answer_headers"]?.array ?? []).compactMap { header in
                    guard let key = header["key"]?.string, let value = header["value"]?.string else { return nil }
                    return (key, value)
                },
                body: example["answer_body"]?.string ?? ""
            )
        }
    }
}

// MARK: - One case

/// One recorded client request of the Lua plugin's corpus (see `golden/lua/README.md` for the fields).
struct GoldenCase: Sendable {
    /// One call the mock policy provider received, and what it answered.
    struct SidebandRecord: Sendable {
        var kind: String
        var path: String
        var headers: [(name: String, value: String)]
        /// The payload; nil when it was not JSON (case 39: raw invalid UTF-8).
        var parsed: JSON?
        var answerStatus: Int
        /// The mock's answer: an object, or a string for a body that was not JSON (case 62), or nil.
        var answer: JSON?
    }

    struct ClientRecord: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    let number: Int
    let file: String
    /// The listener the recording used: 8000 (default plugin), 8001 (provider unreachable), 8002 (service
    /// url with a path, custom secret header).
    let port: Int
    let method: String
    let target: String
    /// curl's `-H` arguments, verbatim (`Name: value`, `Name:` removes, `Name;` sends an empty value).
    let headerArguments: [String]
    let curlFlags: [String]
    let sendsBody: Bool
    let sideband: [SidebandRecord]
    let client: ClientRecord
    let upstream: [JSON]
    private let document: JSON

    var name: String { String(self.file.dropLast(".json".count)) }
    var requestRecord: SidebandRecord? { self.sideband.first { $0.kind == "request" } }
    var responseRecord: SidebandRecord? { self.sideband.first { $0.kind == "response" } }

    init(number: Int, file: String, document: JSON) throws {
        guard let request = document["case"], let port = request["port"]?.int, let method = request["method"]?.string,
            let target = request["target"]?.string
        else { throw TestError("\(file): no usable \"case\"") }
        self.number = number
        self.file = file
        self.document = document
        self.port = port
        self.method = method
        self.target = target
        self.headerArguments = request["headers"]?.array?.compactMap(\.string) ?? []
        self.curlFlags = request["curl_flags"]?.array?.compactMap(\.string) ?? []
        self.sendsBody = document["curl_argv"]?.array?.contains(.string("--data-binary")) ?? false
        self.sideband = (document["sideband"]?.array ?? []).map { call in
            SidebandRecord(
                kind: call["kind"]?.string ?? "",
                path: call["path"]?.string ?? "",
                headers: Self.pairs(call["headers"]),
                parsed: call["parsed"].flatMap { $0 == .null ? nil : $0 },
                answerStatus: call["answer_status"]?.int ?? 0,
                answer: call["answer"]
            )
        }
        let client = document["client"]
        self.client = ClientRecord(
            status: client?["status"]?.int ?? 0,
            headers: Self.pairs(client?["headers"]),
            body: client?["body"]?.string ?? ""
        )
        self.upstream = document["upstream"]?.array ?? []
    }

    /// `[[name, value], ...]` as the recording stores raw header lines.
    private static func pairs(_ list: JSON?) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for line in list?.array ?? [] {
            guard let parts = line.array, parts.count == 2, let name = parts[0].string, let value = parts[1].string
            else {
                continue
            }
            pairs.append((name: name, value: value))
        }
        return pairs
    }

    /// The body curl sent (`--data-binary`), regenerated exactly: `body`, else `body_b64`, else the
    /// `body_spec` (`len`, `head`) expanded from what the upstream received (the exact bytes), falling back
    /// to repeating `head`.
    var body: [UInt8]? {
        guard self.sendsBody, let request = self.document["case"] else { return nil }
        if let text = request["body"]?.string { return Array(text.utf8) }
        if let encoded = request["body_b64"]?.string, let data = Data(base64Encoded: encoded) { return Array(data) }
        if let spec = request["body_spec"], let length = spec["len"]?.int {
            if let received = self.upstream.first?["body"]?.string, received.utf8.count == length {
                return Array(received.utf8)
            }
            let head = Array((spec["head"]?.string ?? "").utf8)
            return head.isEmpty
                ? [UInt8](repeating: UInt8(ascii: "x"), count: length) : (0..<length).map { head[$0 % head.count] }
        }
        return []
    }

    /// The upstream response the recording described to the provider (`sideband_response.parsed`), for
    /// `ScriptedUpstream` to replay. `connection` and `transfer-encoding` were the connection's, not the
    /// upstream's; `content-length` is recomputed from the body, except for `HEAD`, whose reply names the
    /// length of the `GET` it stands for. A case without a response phase gets 200 and a small body.
    var upstreamReply: ScriptedUpstream.Reply {
        guard let described = self.responseRecord?.parsed,
            let status = described["response_code"]?.string.flatMap({ Int($0) })
        else {
            return ScriptedUpstream.Reply(headers: [("Content-Type", "text/plain")], text: "golden upstream")
        }
        let isHead = self.method == "HEAD"
        let headers = (described["headers"] ?? .array([])).headerEntries.filter { header in
            switch header.name.lowercased() {
            case "connection", "transfer-encoding": return false
            case "content-length": return isHead
            default: return true
            }
        }
        return ScriptedUpstream.Reply(status: status, headers: headers, text: described["body"]?.string ?? "")
    }
}

// MARK: - The client request

/// The bytes curl 7.88.1 put on the wire for a case.
struct GoldenRequest: Sendable {
    /// Request line and header block.
    var head: [UInt8]
    /// The body as sent (chunk-encoded when chunked); empty when none.
    var wireBody: [UInt8]
    /// The body as the server must see it (de-chunked); nil when curl sent none.
    var body: [UInt8]?
    /// The request target as sent.
    var target: String
    /// The headers as sent, in order.
    var headers: [(name: String, value: String)]
    /// `Expect: 100-continue`: the body goes only after the interim 100 (case 37).
    var waitsForContinue: Bool
    var isHead: Bool

    var hostHeader: String? { self.headers.first { $0.name.lowercased() == "host" }?.value }
}

extension GoldenCase {
    /// Rebuilds curl's request: `Host: 127.0.0.1:<recorded port>` (sent verbatim, so that the described
    /// headers can be compared with the recording; the url's port is the listener's anyway),
    /// `User-Agent: curl/7.88.1`, `Accept: */*`, then the `-H` headers (a `-H` header replaces curl's
    /// own of that name, `Name:` only removes it, `Name;` sends it empty), then for `--data-binary`
    /// `Content-Length` (unless chunked) and `Content-Type: application/x-www-form-urlencoded` (unless
    /// given). `--http1.0`, `--request-target` and `-I` (method `HEAD`) are honoured; `--path-as-is` and
    /// `-g` only mean the target is sent as written, which it always is here.
    func rebuiltRequest() -> GoldenRequest {
        var custom: [(name: String, value: String)] = []
        var removed: Set<String> = []
        for argument in self.headerArguments {
            if argument.hasSuffix(";"), !argument.contains(":") {
                custom.append((name: String(argument.dropLast()), value: ""))
                continue
            }
            guard let colon = argument.firstIndex(of: ":") else { continue }
            let name = String(argument[..<colon])
            let value = argument[argument.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty { removed.insert(name.lowercased()) } else { custom.append((name: name, value: value)) }
        }
        let replaced = removed.union(custom.map { $0.name.lowercased() })
        let curlDefaults: [(name: String, value: String)] = [
            ("Host", "127.0.0.1:\(self.port)"), ("User-Agent", "curl/7.88.1"), ("Accept", "*/*"),
        ]
        var headers = curlDefaults.filter { !replaced.contains($0.name.lowercased()) }
        headers += custom
        let body = self.body
        let chunked = custom.contains {
            $0.name.lowercased() == "transfer-encoding" && $0.value.lowercased() == "chunked"
        }
        if let body {
            if !chunked && !replaced.contains("content-length") {
                headers.append(("Content-Length", String(body.count)))
            }
            if !replaced.contains("content-type") {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            }
        }
        var target = self.target
        if let flag = self.curlFlags.firstIndex(of: "--request-target"), flag + 1 < self.curlFlags.count {
            target = self.curlFlags[flag + 1]
        }
        let version = self.curlFlags.contains("--http1.0") ? "HTTP/1.0" : "HTTP/1.1"
        var head = "\(self.method) \(target) \(version)\r\n"
        for (name, value) in headers { head += value.isEmpty ? "\(name):\r\n" : "\(name): \(value)\r\n" }
        head += "\r\n"
        var wireBody = body ?? []
        if chunked, let body {
            wireBody = []
            var offset = 0
            while offset < body.count {
                let size = min(4096, body.count - offset)
                wireBody.append(contentsOf: "\(String(size, radix: 16))\r\n".utf8)
                wireBody.append(contentsOf: body[offset..<(offset + size)])
                wireBody.append(contentsOf: "\r\n".utf8)
                offset += size
            }
            wireBody += Array("0\r\n\r\n".utf8)
        }
        return GoldenRequest(
            head: Array(head.utf8),
            wireBody: wireBody,
            body: body,
            target: target,
            headers: headers,
            waitsForContinue: custom.contains {
                $0.name.lowercased() == "expect" && $0.value.lowercased() == "100-continue"
            },
            isHead: self.method == "HEAD"
        )
    }

    /// The two targets of the corpus that are not already normal, as SIDEBAND.md §2 normalises them
    /// (unreserved escapes decoded, others kept upper-case, dot segments removed, `//` merged). The plugin
    /// decoded further, to raw UTF-8 and spaces; the normaliser checks that both mean the same path.
    static let normalisedPaths: [Int: String] = [
        13: "/a/c/~user/%2F/xA/caf%C3%A9/sp%20ace",
        14: "/double/slash/",
    ]

    /// The `url` our rules give (SIDEBAND.md §2): `http://`, the host of an absolute-form target, else of
    /// `Host` (lower-cased, without port), else the listener's address; the listener's port; the
    /// normalised path; `?` and the query verbatim when it is not empty.
    func expectedURL(for request: GoldenRequest, listenerPort: Int) -> String {
        func hostWithoutPort(_ authority: Substring) -> String {
            String(authority.lastIndex(of: ":").map { authority[..<$0] } ?? authority).lowercased()
        }
        let host: String
        var pathAndQuery = request.target[...]
        if let scheme = request.target.range(of: "://") {
            let rest = request.target[scheme.upperBound...]
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            host = hostWithoutPort(rest[..<slash])
            pathAndQuery = rest[slash...]
        } else {
            host = request.hostHeader.map { hostWithoutPort($0[...]) } ?? "127.0.0.1"
        }
        let question = pathAndQuery.firstIndex(of: "?")
        let path = Self.normalisedPaths[self.number] ?? String(question.map { pathAndQuery[..<$0] } ?? pathAndQuery)
        let query = question.map { pathAndQuery[pathAndQuery.index(after: $0)...] } ?? ""
        return "http://\(host):\(listenerPort)\(path)" + (query.isEmpty ? "" : "?\(query)")
    }
}
