import NIOCore
import NIOHTTP1

/// Answers requests the HTTP decoder refused, then closes: 431 for a header block over
/// `max_header_bytes` or more than `max_headers` lines, 400 for anything else malformed (bad request
/// line, bad header syntax, `Content-Length` with `Transfer-Encoding`, conflicting lengths, bad chunk
/// sizes). Stands where NIO's `HTTPServerProtocolErrorHandler` would, which can only say 400.
final class RequestErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var responseInFlight = false
    private var answered = false
    private weak var observer: ClientActivityObserver?

    init(observer: ClientActivityObserver) {
        self.observer = observer
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // The decoder stops after an error; nothing more can be read from this connection.
        guard !self.answered else { return }
        self.answered = true
        if self.responseInFlight {
            // A response is already on the wire: we cannot start another one.
            context.close(promise: nil)
            return
        }
        let response: KongErrorResponse = parserError == .headerOverflow ? .headersTooLarge : .badRequest
        self.observer?.requestRefused(status: response.status)
        let body = response.body(format: .json, allocator: context.channel.allocator)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: KongErrorResponse.Format.json.contentType)
        headers.add(name: "Content-Length", value: String(body.readableBytes))
        headers.add(name: "Server", value: "ping-auth-proxy/\(GatewayVersion.string)")
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        let channel = context.channel
        let observer = NIOLoopBound(self.observer, eventLoop: context.eventLoop)
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).whenComplete { _ in
            if let observer = observer.value {
                observer.lingerAndClose()
            } else {
                channel.close(promise: nil)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.answered else { return }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200:
            self.responseInFlight = true
        case .end:
            self.responseInFlight = false
        case .head, .body:
            break
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension RequestErrorResponder: Sendable {}

/// Tells the proxy handler that request bytes arrived before the HTTP decoder has a whole head, so a
/// client that trickles its header (slowloris) is timed from its first byte, not from its last.
///
/// It also writes the one response that has no request to answer, the 408 for a header that never
/// completed: below the HTTP codec, as raw bytes, because the HTTP handlers have no request to pair it with.
final class ClientActivityObserver: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let proxy: ProxyHandler
    private let canHalfClose: Bool
    private var context: ChannelHandlerContext?
    private var lingering = false
    /// Bytes arrived while the current request was complete and its response not yet written (a
    /// pipelined request, or the client closing): reads are then left to HTTPServerPipelineHandler's hold.
    private var bytesWhileAwaitingResponse = false

    /// - Parameter canHalfClose: false on TLS connections, where the TLS layer closes both ways.
    init(proxy: ProxyHandler, canHalfClose: Bool) {
        self.proxy = proxy
        self.canHalfClose = canHalfClose
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if self.lingering { return }
        if self.proxy.awaitingResponseOnly { self.bytesWhileAwaitingResponse = true }
        self.proxy.clientBytesArrived()
        context.fireChannelRead(data)
    }

    /// Keeps the socket registered for reading while a complete request waits for its response.
    ///
    /// HTTPServerPipelineHandler holds reads until the response ends, and NIO takes a socket with no read
    /// pending out of epoll and puts it back on the next read: two `epoll_ctl` calls per request, about a
    /// sixth of the gateway's system calls under load. Asking for the next read here keeps the registration.
    /// Bytes that then arrive before the response ends (a pipelined request, or the client closing) are read
    /// once, and from then on the pipeline handler's hold applies as before, so buffering stays bounded; a
    /// client that closes is noticed at once, as nginx and Kong notice it (499).
    func channelReadComplete(context: ChannelHandlerContext) {
        context.fireChannelReadComplete()
        if self.proxy.awaitingResponseOnly {
            if !self.bytesWhileAwaitingResponse && !self.lingering { context.read() }
        } else {
            self.bytesWhileAwaitingResponse = false
        }
    }

    /// Closes after a final response the way nginx's lingering close does: stop sending (FIN), keep
    /// reading and dropping what the client still sends for a moment, then close. Closing at once with
    /// unread bytes in the socket makes the kernel send a reset, which can destroy the response (a 413 or
    /// 408) before the client reads it.
    func lingerAndClose(after delay: TimeAmount = .seconds(2)) {
        guard let context = self.context, !self.lingering else { return }
        self.lingering = true
        let channel = context.channel
        guard self.canHalfClose else {
            channel.close(promise: nil)
            return
        }
        context.close(mode: .output, promise: nil)
        channel.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    /// A request refused before (or while) the proxy handler saw it: counted and logged like any other.
    func requestRefused(status: HTTPResponseStatus) {
        self.proxy.recordRefusedRequest(status: UInt(status.code))
    }

    /// Writes a complete error response as bytes and closes the connection.
    func sendRawAndClose(_ response: KongErrorResponse) {
        guard let context = self.context else { return }
        let body = response.body(format: .json, allocator: context.channel.allocator)
        var bytes = context.channel.allocator.buffer(capacity: 256 + body.readableBytes)
        bytes.writeString(
            "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n"
                + "Content-Type: \(KongErrorResponse.Format.json.contentType)\r\n"
                + "Content-Length: \(body.readableBytes)\r\n"
                + "Server: ping-auth-proxy/\(GatewayVersion.string)\r\n"
                + "Connection: close\r\n\r\n"
        )
        bytes.writeImmutableBuffer(body)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.writeAndFlush(self.wrapOutboundOut(bytes)).whenComplete { _ in loopBound.value.lingerAndClose() }
    }
}

@available(*, unavailable)
extension ClientActivityObserver: Sendable {}
