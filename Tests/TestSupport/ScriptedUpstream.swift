import NIOConcurrencyHelpers
public import NIOCore
import NIOHTTP1
public import NIOPosix

/// An upstream that answers each request with exactly the response a test scripted, and records what it
/// received.
///
/// The golden conformance test replays, through it, the upstream response that the Lua plugin's recording
/// described to the policy provider, so that our `/sideband/response` payload can be compared with the
/// recorded one field by field. `EchoServer` cannot do that: its answer depends on the request.
///
/// - The reply's headers are written as given, in order and case. `Content-Length` is added from the body
///   unless the reply names one itself: a reply to `HEAD` names the length the `GET` would have had and
///   sends no body. `Transfer-Encoding` is never added.
/// - No body is written for `HEAD`, 1xx, 204 and 304.
/// - Keep-alive follows the request: after a request that does not keep the connection alive, the
///   connection is closed once the reply is written.
public final class ScriptedUpstream: Sendable {
    /// One request as the upstream received it (body de-chunked).
    public struct Request: Sendable {
        public var method: String
        public var uri: String
        /// `"1.1"` or `"1.0"`.
        public var version: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            self.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public func headerValues(_ name: String) -> [String] {
            self.headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
    }

    /// The response to send.
    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public init(status: Int = 200, headers: [(name: String, value: String)] = [], text: String) {
            self.init(status: status, headers: headers, body: Array(text.utf8))
        }

        /// What an unscripted upstream answers: 200, a short plain-text body.
        public static let standard = Reply(headers: [("Content-Type", "text/plain")], text: "scripted upstream")
    }

    /// Chooses the reply to a request; runs on the connection's event loop, so it must not block.
    public typealias Script = @Sendable (Request) -> Reply

    struct State: Sendable {
        var requests: [Request] = []
        var script: Script
    }

    public let channel: any Channel
    private let state: NIOLockedValueBox<State>

    public var port: Int { self.channel.localAddress?.port ?? 0 }
    /// Every request received since start (or since `clearRequests()`), in arrival order.
    public var requests: [Request] { self.state.withLockedValue { $0.requests } }
    public func clearRequests() { self.state.withLockedValue { $0.requests = [] } }
    public func setScript(_ script: @escaping Script) { self.state.withLockedValue { $0.script = script } }
    /// Answers every following request with `reply`.
    public func setReply(_ reply: Reply) { self.setScript { _ in reply } }

    private init(channel: any Channel, state: NIOLockedValueBox<State>) {
        self.channel = channel
        self.state = state
    }

    /// Starts listening on `127.0.0.1`, an ephemeral port. Without a script every request gets
    /// `Reply.standard`.
    public static func start(
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        script: Script? = nil
    ) async throws -> ScriptedUpstream {
        let state = NIOLockedValueBox(State(script: script ?? { _ in Reply.standard }))
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ScriptedUpstreamHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedUpstream(channel: channel, state: state)
    }

    public func close() async { try? await self.channel.close() }

    /// Records a complete request and returns the scripted reply.
    fileprivate static func received(_ request: Request, state: NIOLockedValueBox<State>) -> Reply {
        let script = state.withLockedValue { state -> Script in
            state.requests.append(request)
            return state.script
        }
        return script(request)
    }
}

final class ScriptedUpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: NIOLockedValueBox<ScriptedUpstream.State>
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(state: NIOLockedValueBox<ScriptedUpstream.State>) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = []
        case .body(let buffer):
            self.body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let request = ScriptedUpstream.Request(
                method: head.method.rawValue,
                uri: head.uri,
                version: "\(head.version.major).\(head.version.minor)",
                headers: head.headers.map { (name: $0.name, value: $0.value) },
                body: self.body
            )
            self.body = []
            let reply = ScriptedUpstream.received(request, state: self.state)
            self.write(reply, answering: head, context: context)
        }
    }

    private func write(_ reply: ScriptedUpstream.Reply, answering head: HTTPRequestHead, context: ChannelHandlerContext)
    {
        var headers = HTTPHeaders()
        for (name, value) in reply.headers { headers.add(name: name, value: value) }
        let bodyless =
            head.method == .HEAD || (100..<200).contains(reply.status) || reply.status == 204
            || reply.status == 304
        if !headers.contains(name: "content-length") && !(100..<200).contains(reply.status) && reply.status != 204 {
            headers.add(name: "Content-Length", value: String(reply.body.count))
        }
        let keepAlive = head.isKeepAlive
        let responseHead = HTTPResponseHead(
            version: head.version,
            status: HTTPResponseStatus(statusCode: reply.status),
            headers: headers
        )
        context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
        if !bodyless && !reply.body.isEmpty {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            // Closing only once the reply is on the wire: an earlier close could drop unwritten bytes.
            if !keepAlive { channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension ScriptedUpstreamHandler: Sendable {}
