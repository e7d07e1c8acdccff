public import NIOCore
public import NIOHTTP1
import SidebandProtocol

/// One HTTP request on the wire: its head and its whole body (sent with `Content-Length`).
public struct BenchRequest: Sendable {
    public var head: HTTPRequestHead
    /// nil or empty: no body part is written.
    public var body: ByteBuffer?

    public init(head: HTTPRequestHead, body: ByteBuffer?) {
        self.head = head
        self.body = body
    }

    /// Writes the request (head, body when there is one, end) and flushes.
    func write(on context: ChannelHandlerContext) {
        context.write(NIOAny(HTTPClientRequestPart.head(self.head)), promise: nil)
        if let body = self.body, body.readableBytes > 0 {
            context.write(NIOAny(HTTPClientRequestPart.body(.byteBuffer(body))), promise: nil)
        }
        context.writeAndFlush(NIOAny(HTTPClientRequestPart.end(nil)), promise: nil)
    }
}

/// What follows an answer within one load request.
public enum BenchStep: Sendable {
    /// Send this on the same connection, as part of the same load request (the sideband response phase).
    case send(BenchRequest)
    /// The load request is over; `succeeded` false counts it as a status error.
    case done(succeeded: Bool)
}

/// What the load consists of. One load request is one or more HTTP exchanges on one connection, one after
/// the other: ``firstRequest()``, then for each answer ``next(afterStep:status:body:)`` says whether another
/// exchange follows. Its latency runs from its due time (or send time) to the end of its last answer.
///
/// Conforming types are immutable values shared by every event loop, and the runner is generic over
/// them: no existential and no allocation beyond the request's own per exchange.
public protocol RequestSource: Sendable {
    /// Whether answers' bodies are collected for ``next(afterStep:status:body:)``; false: bodies are read
    /// and dropped, and `body` is empty.
    var collectsResponseBody: Bool { get }

    /// The first exchange of a load request.
    func firstRequest() -> BenchRequest

    /// What follows the answer to exchange `step` (0 for the first).
    func next(afterStep step: Int, status: Int, body: ByteBuffer) -> BenchStep
}

/// The `http` target: the same request to any URL, every time; 2xx succeeds.
public struct HTTPRequestSource: RequestSource {
    public let request: BenchRequest

    /// - Parameters:
    ///   - url: where to send.
    ///   - method: any token (`GET`, `POST`, ...).
    ///   - headers: sent as given, in order; `Host` is added from the url unless given, `User-Agent` unless
    ///     given. `Content-Length` and `Transfer-Encoding` given here are replaced: the body is sent with
    ///     its exact length (also `Content-Length: 0` for a `POST`, `PUT` or `PATCH` without a body).
    ///   - body: the body, or nil.
    public init(url: TargetURL, method: String, headers: [(name: String, value: String)], body: ByteBuffer?) {
        var fields = HTTPHeaders()
        if !headers.contains(where: { $0.name.lowercased() == "host" }) {
            fields.add(name: "Host", value: url.hostHeader)
        }
        for (name, value) in headers {
            let lowered = name.lowercased()
            if lowered == "content-length" || lowered == "transfer-encoding" { continue }
            fields.add(name: name, value: value)
        }
        if !fields.contains(name: "user-agent") {
            fields.add(name: "User-Agent", value: "ping-auth-proxy-bench")
        }
        let method = HTTPMethod(rawValue: method)
        let bodyBytes = body?.readableBytes ?? 0
        if bodyBytes > 0 || method == .POST || method == .PUT || method == .PATCH {
            fields.add(name: "Content-Length", value: String(bodyBytes))
        }
        self.request = BenchRequest(
            head: HTTPRequestHead(version: .http1_1, method: method, uri: url.requestTarget, headers: fields),
            body: bodyBytes > 0 ? body : nil
        )
    }

    public var collectsResponseBody: Bool { false }

    public func firstRequest() -> BenchRequest { self.request }

    public func next(afterStep step: Int, status: Int, body: ByteBuffer) -> BenchStep {
        .done(succeeded: (200..<300).contains(status))
    }

    /// `Name: value` as `--header` takes it: split at the first colon, spaces around the value trimmed; nil
    /// when the name is not an HTTP token or the value holds CR, LF or NUL.
    public static func parseHeader(_ text: String) -> (name: String, value: String)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let name = String(text[..<colon])
        let value = String(String(text[text.index(after: colon)...]).trimmingSpaces)
        guard HTTPSyntax.isToken(name), HTTPSyntax.isSafeFieldValue(value) else { return nil }
        return (name, value)
    }
}
