public import NIOCore
import Atomics
import NIOHTTP1
public import NIOPosix

/// An upstream that makes streaming observable: it counts request body bytes as they arrive, and sends
/// a large chunked response whose end it holds back until the test releases it.
///
/// - `POST /upload`: answers `received N` after the body ends; `requestBodyBytes` grows while it arrives.
/// - `GET /download?size=N`: sends a 64 KiB chunk at once, the remaining bytes only after `release()`.
public final class StreamingUpstream: Sendable {
    public let channel: any Channel
    private let bodyBytes: ManagedAtomic<Int>
    private let released: ManagedAtomic<Bool>

    public var port: Int { self.channel.localAddress?.port ?? 0 }
    public var requestBodyBytes: Int { self.bodyBytes.load(ordering: .relaxed) }
    public func release() { self.released.store(true, ordering: .relaxed) }

    private init(channel: any Channel, bodyBytes: ManagedAtomic<Int>, released: ManagedAtomic<Bool>) {
        self.channel = channel
        self.bodyBytes = bodyBytes
        self.released = released
    }

    public static func start(group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws
        -> StreamingUpstream
    {
        let bodyBytes = ManagedAtomic(0)
        let released = ManagedAtomic(false)
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        StreamingHandler(bodyBytes: bodyBytes, released: released)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return StreamingUpstream(channel: channel, bodyBytes: bodyBytes, released: released)
    }

    public func close() async { try? await self.channel.close() }
}

final class StreamingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let bodyBytes: ManagedAtomic<Int>
    let released: ManagedAtomic<Bool>
    private var head: HTTPRequestHead?

    init(bodyBytes: ManagedAtomic<Int>, released: ManagedAtomic<Bool>) {
        self.bodyBytes = bodyBytes
        self.released = released
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            self.bodyBytes.store(0, ordering: .relaxed)
        case .body(let buffer):
            self.bodyBytes.wrappingIncrement(by: buffer.readableBytes, ordering: .relaxed)
        case .end:
            guard let head = self.head else { return }
            if head.uri.hasPrefix("/download") {
                let size = Int(head.uri.split(separator: "=").last ?? "0") ?? 0
                self.download(context: context, size: size)
            } else {
                let text = "received \(self.bodyBytes.load(ordering: .relaxed))"
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: String(text.utf8.count))
                context.write(self.wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    private func download(context: ChannelHandlerContext, size: Int) {
        var headers = HTTPHeaders()
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.write(self.wrapOutboundOut(.head(.init(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let first = min(size, 65_536)
        context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "a"), count: first)))), promise: nil)
        self.sendRest(context: context, remaining: size - first)
    }

    private func sendRest(context: ChannelHandlerContext, remaining: Int) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        guard self.released.load(ordering: .relaxed) else {
            context.eventLoop.scheduleTask(in: .milliseconds(5)) {
                let (handler, context) = loopBound.value
                handler.sendRest(context: context, remaining: remaining)
            }
            return
        }
        var left = remaining
        while left > 0 {
            let size = min(left, 65_536)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: UInt8(ascii: "b"), count: size)))), promise: nil)
            left -= size
        }
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }
}

@available(*, unavailable)
extension StreamingHandler: Sendable {}
