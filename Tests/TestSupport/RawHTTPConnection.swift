public import NIOCore
import NIOConcurrencyHelpers
public import NIOPosix
public import NIOSSL

/// A client connection that sends exactly the bytes a test gives it and parses what comes back, so tests
/// can speak malformed, pipelined, slow or smuggling HTTP that a real client library would refuse to send.
public final class RawHTTPConnection: Sendable {
    private let channel: any Channel
    private let inbox: Inbox

    final class Inbox: Sendable {
        let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))
    }

    private init(channel: any Channel, inbox: Inbox) {
        self.channel = channel
        self.inbox = inbox
    }

    public static func connect(
        host: String = "127.0.0.1",
        port: Int,
        tls: NIOSSLContext? = nil,
        serverName: String? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RawHTTPConnection {
        let inbox = Inbox()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: serverName)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(Collector(inbox: inbox))
                }
            }
            .connect(host: host, port: port).get()
        return RawHTTPConnection(channel: channel, inbox: inbox)
    }

    public func send(_ text: String) async throws {
        try await self.send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) async throws {
        try await self.channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Waits for one complete response and removes it from the inbox.
    public func readResponse(timeout: Duration = .seconds(10), headRequest: Bool = false) async throws -> HTTPTestResponse {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let result: HTTPTestResponse? = try self.inbox.state.withLockedValue { state in
                guard let (response, consumed) = try HTTPTestResponse.parse(state.bytes, connectionClosed: state.closed, headRequest: headRequest) else {
                    return nil
                }
                state.bytes.removeFirst(consumed)
                return response
            }
            if let result { return result }
            if self.inbox.state.withLockedValue({ $0.closed }) {
                throw TestError("connection closed before a complete response")
            }
            if clock.now >= deadline { throw TestError("no complete response within \(timeout)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// True once the server has closed the connection (within `timeout`).
    public func waitForClose(timeout: Duration = .seconds(10)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if self.inbox.state.withLockedValue({ $0.closed }) { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Bytes received but not yet consumed by `readResponse`.
    public var pendingBytes: [UInt8] { self.inbox.state.withLockedValue { $0.bytes } }
    public var isClosed: Bool { self.inbox.state.withLockedValue { $0.closed } }

    public func close() async {
        try? await self.channel.close()
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let inbox: Inbox
        init(inbox: Inbox) { self.inbox = inbox }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = self.unwrapInboundIn(data)
            self.inbox.state.withLockedValue { $0.bytes.append(contentsOf: buffer.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.inbox.state.withLockedValue { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}

public struct TestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
