public import ConnectionPool
public import NIOCore
public import NIOHTTP1

/// Whoever leases pooled connections: the gateway's client handler (proxying), or a sideband call.
/// Generic rather than an existential so each owner's calls are direct.
public protocol PooledConnectionOwner: AnyObject, SendableMetatype {
    /// A response part arrived on the leased connection.
    func connectionRead(_ part: HTTPClientResponsePart)
    /// The end of one socket read: a good moment to flush what was relayed.
    func connectionReadComplete()
    /// The leased connection closed (before or after the response ended).
    func connectionClosed(_ connection: PooledHTTPConnection<Self>)
    /// The leased connection failed (TLS, reset, decode error); it closes next.
    func connectionFailed(_ connection: PooledHTTPConnection<Self>, error: any Error)
    func connectionWritabilityChanged(_ connection: PooledHTTPConnection<Self>)
    /// True while the owner cannot take more response bytes (reads on the connection wait).
    var shouldHoldConnectionReads: Bool { get }
    /// The pool's answer to `lease(for:connectTimeout:)`; may arrive before `lease` returns.
    func leaseCompleted(_ result: LeaseResult<Self>)
}

/// What a lease gives: a connection (and whether it served requests before), or why not.
public enum LeaseResult<Owner: PooledConnectionOwner> {
    case leased(PooledHTTPConnection<Owner>, reused: Bool)
    case failed(any Error)
}

/// The last handler of a pooled connection's pipeline: relays response parts to the owner that currently
/// leases the connection, and holds reads while that owner cannot take more (backpressure from the
/// client socket all the way to the upstream socket).
public final class PooledHTTPConnection<Owner: PooledConnectionOwner>: ChannelDuplexHandler {
    public typealias InboundIn = HTTPClientResponsePart
    public typealias OutboundIn = HTTPClientRequestPart
    public typealias OutboundOut = HTTPClientRequestPart

    public let id: ConnectionID
    /// The pool that owns this connection. Held strongly: a connection still closing after its pool was
    /// shut down and dropped must still be able to report that it closed. The cycle (the pool holds its
    /// open connections) ends when the connection closes and the pool forgets it.
    public let pool: HTTPConnectionPool<Owner>
    /// Who uses this connection now; nil while the connection is idle in the pool.
    public internal(set) var owner: Owner?
    private var context: ChannelHandlerContext?
    private var readHeld = false
    /// How many leases this connection has served (a reused connection may have been closed by the peer
    /// just as it was handed out).
    public internal(set) var servedRequests = 0

    init(id: ConnectionID, pool: HTTPConnectionPool<Owner>) {
        self.id = id
        self.pool = pool
    }

    public var isWritable: Bool { self.context?.channel.isWritable ?? false }
    public var channel: (any Channel)? { self.context?.channel }

    public func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    public func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        if let owner = self.owner {
            owner.connectionRead(part)
        } else {
            // An idle connection must not speak: whatever this is, the connection is unusable.
            context.close(promise: nil)
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        self.owner?.connectionReadComplete()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        let owner = self.owner
        self.owner = nil
        self.pool.connectionClosed(self)
        owner?.connectionClosed(self)
        context.fireChannelInactive()
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.owner?.connectionFailed(self, error: error)
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.owner?.connectionWritabilityChanged(self)
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        if let owner = self.owner, owner.shouldHoldConnectionReads {
            self.readHeld = true
        } else {
            context.read()
        }
    }

    /// Called when the owner can take more response bytes again.
    public func resumeReads() {
        guard self.readHeld, let context = self.context else { return }
        self.readHeld = false
        context.read()
    }

    public func write(_ part: HTTPClientRequestPart, promise: EventLoopPromise<Void>?) {
        guard let context = self.context else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(self.wrapOutboundOut(part), promise: promise)
    }

    public func flush() { self.context?.flush() }

    public func close() { self.context?.close(promise: nil) }
}

@available(*, unavailable)
extension PooledHTTPConnection: Sendable {}
