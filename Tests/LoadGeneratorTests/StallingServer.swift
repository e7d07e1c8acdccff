import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP server on 127.0.0.1 (ephemeral port) that answers `200 ok` at once, except every `every`-th
/// request of each connection, which it answers only after `stall`. Counting per connection keeps the slow
/// requests' share exact whatever else connected before (the runner's probe uses a connection of its own).
final class StallingServer: Sendable {
    let channel: any Channel

    var port: Int { self.channel.localAddress?.port ?? 0 }

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(
        every: Int,
        stall: TimeAmount,
        status: HTTPResponseStatus = .ok,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> StallingServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        StallingHandler(every: every, stall: stall, status: status)
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return StallingServer(channel: channel)
    }

    func close() async {
        try? await self.channel.close()
    }
}

private final class StallingHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let every: Int
    private let stall: TimeAmount
    private let status: HTTPResponseStatus
    private var requests = 0

    init(every: Int, stall: TimeAmount, status: HTTPResponseStatus) {
        self.every = every
        self.stall = stall
        self.status = status
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = self.unwrapInboundIn(data) else { return }
        self.requests += 1
        if self.requests % self.every == 0 {
            context.eventLoop.assumeIsolated().scheduleTask(in: self.stall) {
                self.respond(context: context)
            }
        } else {
            self.respond(context: context)
        }
    }

    private func respond(context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "2")
        let head = HTTPResponseHead(version: .http1_1, status: self.status, headers: headers)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension StallingHandler: Sendable {}

/// Starts a `StallingServer`, runs `body`, and closes the server even when `body` throws.
func withStallingServer(
    every: Int,
    stall: TimeAmount,
    status: HTTPResponseStatus = .ok,
    _ body: (StallingServer) async throws -> Void
) async throws {
    let server = try await StallingServer.start(every: every, stall: stall, status: status)
    do {
        try await body(server)
    } catch {
        await server.close()
        throw error
    }
    await server.close()
}
