import Atomics
import GatewayConfig
import NIOCore
import NIOHTTP1
import NIOPosix
import SidebandProtocol

/// The operations listener (`proxy.status_listen`): `GET /status` (JSON), `GET /status/ready`
/// (200 while serving, 503 while starting or draining), for load balancers and Kubernetes probes, and
/// `GET /metrics` (Prometheus text format).
/// It runs on the gateway's event loops but never touches the proxy's per-request state: counts come
/// from atomics or are gathered from each loop on demand.
final class StatusServer: Sendable {
    let channel: any Channel

    private init(channel: any Channel) {
        self.channel = channel
    }

    static func start(
        _ address: ListenAddress,
        group: any EventLoopGroup,
        report: @escaping @Sendable (any EventLoop) -> EventLoopFuture<StatusReport>,
        metrics: @escaping @Sendable (any EventLoop) -> EventLoopFuture<[UInt8]>
    ) async throws -> StatusServer {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StatusHandler(report: report, metrics: metrics))
                }
            }
            .bind(host: address.host, port: address.port).get()
        return StatusServer(channel: channel)
    }

    func close() async {
        try? await self.channel.close()
    }
}

/// What `/status` shows.
struct StatusReport: Sendable {
    var ready: Bool
    var draining: Bool
    var uptimeSeconds: Int
    var configDigest: String
    var counts: GatewaySnapshot

    var json: String {
        let counts = self.counts
        var buffer = ByteBuffer()
        buffer.writeStaticString(#"{"version":"#)
        buffer.writeJSONString(GatewayVersion.string)
        buffer.writeString(#","ready":\#(self.ready),"draining":\#(self.draining),"uptime_seconds":\#(self.uptimeSeconds),"#)
        buffer.writeStaticString(#""config_digest":"#)
        buffer.writeJSONString(self.configDigest)
        buffer.writeString(#","open_connections":\#(counts.clientConnections),"ping_auth":["#)
        for (index, circuit) in counts.circuits.enumerated() {
            buffer.writeStaticString(index == 0 ? #"{"instance":"# : #",{"instance":"#)
            buffer.writeJSONString(circuit.instance)
            buffer.writeStaticString(circuit.open ? #","circuit":"open"}"# : #","circuit":"closed"}"#)
        }
        buffer.writeString(#"],"upstream_pools":{"leased":\#(counts.upstreamLeased),"idle":\#(counts.upstreamIdle)},"#)
        buffer.writeString(#""sideband_pools":{"leased":\#(counts.sidebandLeased),"idle":\#(counts.sidebandIdle)}}"#)
        return String(buffer: buffer)
    }
}

final class StatusHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let report: @Sendable (any EventLoop) -> EventLoopFuture<StatusReport>
    private let metrics: @Sendable (any EventLoop) -> EventLoopFuture<[UInt8]>
    private var head: HTTPRequestHead?

    init(
        report: @escaping @Sendable (any EventLoop) -> EventLoopFuture<StatusReport>,
        metrics: @escaping @Sendable (any EventLoop) -> EventLoopFuture<[UInt8]>
    ) {
        self.report = report
        self.metrics = metrics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head = self.head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            guard head.method == .GET || head.method == .HEAD else {
                self.respond(context: context, head: head, status: .methodNotAllowed, body: #"{"message":"method not allowed"}"#)
                return
            }
            switch path {
            case "/status", "/status/ready":
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                self.report(context.eventLoop).hop(to: context.eventLoop).whenComplete { result in
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success(let report) where path == "/status":
                        handler.respond(context: context, head: head, status: .ok, body: report.json)
                    case .success(let report):
                        handler.respond(
                            context: context,
                            head: head,
                            status: report.ready ? .ok : .serviceUnavailable,
                            body: report.ready ? #"{"ready":true}"# : #"{"ready":false}"#
                        )
                    case .failure:
                        handler.respond(context: context, head: head, status: .serviceUnavailable, body: #"{"ready":false}"#)
                    }
                }
            case "/metrics":
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                self.metrics(context.eventLoop).hop(to: context.eventLoop).whenComplete { result in
                    let (handler, context) = loopBound.value
                    switch result {
                    case .success(let text):
                        handler.respond(
                            context: context, head: head, status: .ok, body: ByteBuffer(bytes: text),
                            contentType: "text/plain; version=0.0.4; charset=utf-8"
                        )
                    case .failure:
                        handler.respond(context: context, head: head, status: .serviceUnavailable, body: #"{"message":"metrics unavailable"}"#)
                    }
                }
            default:
                self.respond(context: context, head: head, status: .notFound, body: #"{"message":"not found"}"#)
            }
        }
    }

    private func respond(context: ChannelHandlerContext, head: HTTPRequestHead, status: HTTPResponseStatus, body: String) {
        self.respond(context: context, head: head, status: status, body: ByteBuffer(string: body), contentType: "application/json")
    }

    private func respond(
        context: ChannelHandlerContext,
        head: HTTPRequestHead,
        status: HTTPResponseStatus,
        body: ByteBuffer,
        contentType: String
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}

@available(*, unavailable)
extension StatusHandler: Sendable {}
