import ConnectionPool
import NIOCore
import NIOHTTP1

/// The last handler of an upstream connection's pipeline: relays response parts to the request that
/// currently leases the connection, and holds reads while that request's client cannot take more
/// (backpressure from the client socket all the way to the upstream socket).
final class UpstreamConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    let id: ConnectionID
    /// The pool that owns this connection; unowned because the pool outlives its connections' handlers.
    unowned let pool: UpstreamPool
    /// The client-side handler using this connection; nil while the connection is idle in the pool.
    var owner: ProxyHandler?
    private var context: ChannelHandlerContext?
    private var readHeld = false
    /// Set while a lease is in flight for which this connection was reused rather than new; a failure
    /// before any response byte on a reused connection is retried once on a fresh one.
    var servedRequests = 0

    init(id: ConnectionID, pool: UpstreamPool) {
        self.id = id
        self.pool = pool
    }

    var isWritable: Bool { self.context?.channel.isWritable ?? false }
    var channel: (any Channel)? { self.context?.channel }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        if let owner = self.owner {
            owner.upstreamRead(part)
        } else {
            // An idle connection must not speak: whatever this is, the connection is unusable.
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.owner?.upstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let owner = self.owner
        self.owner = nil
        self.pool.connectionClosed(self)
        owner?.upstreamClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.owner?.upstreamFailed(self, error: error)
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.owner?.upstreamWritabilityChanged(self)
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let owner = self.owner, owner.shouldHoldUpstreamReads {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    /// Called when the client can take more response bytes again.
    func resumeReads() {
        guard self.readHeld, let context = self.context else { return }
        self.readHeld = false
        context.read()
    }

    func write(_ part: HTTPClientRequestPart, promise: EventLoopPromise<Void>?) {
        guard let context = self.context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(self.wrapOutboundOut(part), promise: promise)
    }

    func flush() { self.context?.flush() }

    func close() { self.context?.close(promise: nil) }
}

@available(*, unavailable)
extension UpstreamConnectionHandler: Sendable {}
