import Foundation
import NIOCore
import NIOHTTP1
import SidebandClient

/// One connection to the mock: assembles each HTTP/1.1 request, routes it, and writes the answer.
///
/// Runs behind NIO's server pipeline handler, which serialises pipelined requests, so at most one request
/// is in flight per connection. Everything happens on the connection's event loop; injected latency is a
/// scheduled task, never a sleeping thread.
final class MockPDPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        /// Waiting for the next request head.
        case idle
        /// Collecting a request's body (nil until the first part; the first part is kept as is).
        case receiving(HTTPRequestHead, ByteBuffer?)
        /// The body exceeded `maxBodyBytes`: discarding the rest, then 413 and close.
        case discarding(HTTPRequestHead)
        /// The request is complete; its answer is being prepared (possibly waiting for latency or for the
        /// real provider).
        case answering(keepAlive: Bool, isHead: Bool)
    }

    let core: MockPDPCore
    var state = State.idle
    /// Fresh `Correlation-Id`s for this connection's answers.
    var correlationIDs = CorrelationIDs()
    /// False once the connection closed: late timers and forwarded answers then write nothing.
    var isActive = true
    /// The injected-latency timer of the answer being prepared.
    var pendingTimer: Scheduled<Void>?
    /// The forwarded call of the answer being prepared (forward mode).
    var pendingCall: SidebandCall?
    /// The peer's address, given to the engine for payloads without `source_ip`.
    var peerAddress: String?

    init(core: MockPDPCore) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        self.peerAddress = context.channel.remoteAddress?.ipAddress
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.isActive = false
        self.pendingTimer?.cancel()
        self.pendingTimer = nil
        self.pendingCall?.cancel()
        self.pendingCall = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.state = .receiving(head, nil)
        case .body(var part):
            guard case .receiving(let head, var body) = self.state else { return }
            self.state = .idle  // drop the state's reference so the append below does not copy
            if (body?.readableBytes ?? 0) + part.readableBytes > self.core.maxBodyBytes {
                self.state = .discarding(head)
                return
            }
            if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
            self.state = .receiving(head, body)
        case .end:
            switch self.state {
            case .receiving(let head, let body):
                self.state = .answering(keepAlive: head.isKeepAlive, isHead: head.method == .HEAD)
                self.dispatch(head, body: body ?? ByteBuffer(), context: context)
            case .discarding:
                self.state = .answering(keepAlive: false, isHead: false)
                self.respond(
                    status: 413,
                    body: MockPDPBodies.tooLarge(limit: self.core.maxBodyBytes),
                    context: context
                )
            case .idle, .answering:
                break
            }
        }
    }

    private func dispatch(_ head: HTTPRequestHead, body: ByteBuffer, context: ChannelHandlerContext) {
        switch MockRoute(method: head.method, uri: head.uri) {
        case .sideband(let phase):
            self.answerSideband(phase, head: head, payload: body, context: context)
        case .decisions:
            self.respond(status: 200, body: self.core.decisionLog.json(), context: context)
        case .health:
            self.respond(status: 200, body: MockPDPBodies.healthy(), context: context)
        case .methodNotAllowed(let allow):
            self.respond(
                status: 405,
                body: MockPDPBodies.methodNotAllowed(allow: allow),
                headers: [("Allow", allow)],
                context: context
            )
        case .notFound:
            self.respond(status: 404, body: MockPDPBodies.notFound(), context: context)
        }
    }

    /// Writes the answer to the request being answered: JSON, `Content-Length`, a `Correlation-Id` (the
    /// one in `headers` or a fresh one), keep-alive unless the request asked to close. Framing headers in
    /// `headers` are ignored: the mock computes its own.
    func respond(
        status: Int,
        body: ByteBuffer,
        headers extra: [(name: String, value: String)] = [],
        context: ChannelHandlerContext
    ) {
        guard case .answering(let keepAlive, let isHead) = self.state else { return }
        // Idle before the end is written: writing it may hand us the next pipelined request at once.
        self.state = .idle
        var headers = HTTPHeaders()
        headers.reserveCapacity(5 + extra.count)
        headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in extra where !RelayedHeaders.isFraming(name) {
            headers.replaceOrAdd(name: name, value: value)
        }
        if !headers.contains(name: "Correlation-Id") {
            headers.add(name: "Correlation-Id", value: self.correlationIDs.next())
        }
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        if !isHead && body.readableBytes > 0 {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if keepAlive {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    /// Closes the connection instead of answering (`fault: drop`).
    func drop(context: ChannelHandlerContext) {
        self.state = .idle
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension MockPDPHandler: Sendable {}

/// UUID-shaped correlation ids: a random 64-bit prefix per connection and a counter. Foundation's `UUID()`
/// opens and reads `/dev/urandom` on every call on Linux, which was a tenth of the mock's time per answer
/// under load; these stay unique across connections (random prefix) and within one (counter).
struct CorrelationIDs {
    private let prefix = UInt64.random(in: 0...UInt64.max)
    private var counter: UInt64 = 0

    mutating func next() -> String {
        self.counter &+= 1
        let high = self.prefix
        let low = self.counter
        return Self.hex(high >> 32, digits: 8) + "-" + Self.hex((high >> 16) & 0xFFFF, digits: 4) + "-4"
            + Self.hex(high & 0x0FFF, digits: 3) + "-" + Self.hex(0x8000 | ((low >> 48) & 0x3FFF), digits: 4) + "-"
            + Self.hex(low & 0xFFFF_FFFF_FFFF, digits: 12)
    }

    private static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return text.count >= digits ? text : String(repeating: "0", count: digits - text.count) + text
    }
}
