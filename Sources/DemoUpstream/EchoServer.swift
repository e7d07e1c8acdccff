public import NIOCore
import Atomics
import NIOHTTP1
import NIOPosix
import SidebandProtocol

/// A small HTTP service that describes each request it receives as JSON: the demo upstream of the quick
/// start, and the upstream the tests proxy to.
///
/// Reply shape: `{"method":..,"uri":..,"version":..,"headers":[[name,value],..],"body_bytes":N,"body":".."}`
/// (`body` only when the body is valid UTF-8 and at most 64 KiB). Request headers steer it, for
/// demonstrating and testing the gateway: `x-echo-status: 418` picks the status, `x-echo-delay-ms: 50`
/// delays the answer, `x-echo-close: 1` answers with `Connection: close` and closes.
public final class EchoServer: Sendable {
    public let channel: any Channel
    private let accepted: ManagedAtomic<Int>
    private let requests: ManagedAtomic<Int>

    /// Connections accepted since start: lets tests prove keep-alive reuse.
    public var connectionsAccepted: Int { self.accepted.load(ordering: .relaxed) }
    /// Requests answered since start.
    public var requestsServed: Int { self.requests.load(ordering: .relaxed) }
    public var port: Int { self.channel.localAddress?.port ?? 0 }

    private init(channel: any Channel, accepted: ManagedAtomic<Int>, requests: ManagedAtomic<Int>) {
        self.channel = channel
        self.accepted = accepted
        self.requests = requests
    }

    public static func start(host: String = "127.0.0.1", port: Int = 0, group: any EventLoopGroup) async throws
        -> EchoServer
    {
        let accepted = ManagedAtomic(0)
        let requests = ManagedAtomic(0)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                accepted.wrappingIncrement(ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(requests: requests))
                }
            }
            .bind(host: host, port: port).get()
        return EchoServer(channel: channel, accepted: accepted, requests: requests)
    }

    public func close() async throws {
        try await self.channel.close()
    }
}

final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let requests: ManagedAtomic<Int>
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyBytes = 0

    init(requests: ManagedAtomic<Int>) {
        self.requests = requests
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.body = nil
            self.bodyBytes = 0
        case .body(var part):
            self.bodyBytes += part.readableBytes
            if self.bodyBytes <= 65_536 {
                if self.body == nil {
                    self.body = part
                } else {
                    self.body!.writeBuffer(&part)
                }
            } else {
                self.body = nil
            }
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            self.requests.wrappingIncrement(ordering: .relaxed)
            let delay = head.headers.first(name: "x-echo-delay-ms").flatMap { Int64($0) } ?? 0
            if delay > 0 {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                let bodyBytes = self.bodyBytes
                let body = self.body
                context.eventLoop.scheduleTask(in: .milliseconds(delay)) {
                    let (handler, context) = loopBound.value
                    handler.respond(context: context, head: head, body: body, bodyBytes: bodyBytes)
                }
            } else {
                self.respond(context: context, head: head, body: self.body, bodyBytes: self.bodyBytes)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, body: ByteBuffer?, bodyBytes: Int) {
        var json = context.channel.allocator.buffer(capacity: 512 + (body?.readableBytes ?? 0))
        json.writeStaticString("{\"method\":")
        json.writeJSONString(head.method.rawValue)
        json.writeStaticString(",\"uri\":")
        json.writeJSONString(head.uri)
        json.writeStaticString(",\"version\":")
        json.writeJSONString("\(head.version.major).\(head.version.minor)")
        json.writeStaticString(",\"headers\":[")
        var first = true
        for (name, value) in head.headers {
            if !first { json.writeStaticString(",") }
            first = false
            json.writeStaticString("[")
            json.writeJSONString(name)
            json.writeStaticString(",")
            json.writeJSONString(value)
            json.writeStaticString("]")
        }
        json.writeStaticString("],\"body_bytes\":")
        json.writeString(String(bodyBytes))
        if let body, body.readableBytes == bodyBytes, UTF8Validation.isValid(body.readableBytesView) {
            json.writeStaticString(",\"body\":")
            json.writeJSONString(body.readableBytesView)
        }
        json.writeStaticString("}")

        let status = head.headers.first(name: "x-echo-status").flatMap { Int($0) } ?? 200
        let close = head.headers.first(name: "x-echo-close") != nil || !head.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(json.readableBytes))
        headers.add(name: "X-Upstream", value: "echo")
        if close { headers.add(name: "Connection", value: "close") }
        let responseHead = HTTPResponseHead(
            version: head.version,
            status: HTTPResponseStatus(statusCode: status),
            headers: headers
        )
        context.write(self.wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(json))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if close { channel.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension EchoHandler: Sendable {}
