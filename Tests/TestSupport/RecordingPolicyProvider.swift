import Atomics
public import Foundation
public import NIOCore
import NIOConcurrencyHelpers
import NIOHTTP1
public import NIOPosix
public import NIOSSL

/// A stand-in PingAuthorize for tests: records every sideband call and answers with a script.
/// By default it allows everything unchanged (echoes the request, and answers the response phase with
/// the upstream response), like the recording PDP behind the golden corpus.
public final class RecordingPolicyProvider: Sendable {
    public struct Call: Sendable {
        public var path: String
        public var headers: [(String, String)]
        public var body: Data
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: self.body)) as? [String: Any] ?? [:]
        }
        public func header(_ name: String) -> String? {
            self.headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data
        public var delay: TimeAmount
        public init(status: Int = 200, headers: [(String, String)] = [], body: Data, delay: TimeAmount = .zero) {
            self.status = status
            self.headers = headers
            self.body = body
            self.delay = delay
        }
        public static func json(_ object: Any, status: Int = 200, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, headers: headers, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
        }
        public static func raw(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, headers: headers, body: Data(text.utf8))
        }
    }

    /// Decides the answer to a call; nil = the default echo behaviour.
    public typealias Script = @Sendable (Call) -> Answer?

    public let channel: any Channel
    private let state: NIOLockedValueBox<(calls: [Call], script: Script?)>
    private let accepted: ManagedAtomic<Int>

    public var port: Int { self.channel.localAddress?.port ?? 0 }
    public var calls: [Call] { self.state.withLockedValue { $0.calls } }
    public var connectionsAccepted: Int { self.accepted.load(ordering: .relaxed) }
    public func setScript(_ script: Script?) { self.state.withLockedValue { $0.script = script } }
    public func clearCalls() { self.state.withLockedValue { $0.calls = [] } }

    private init(channel: any Channel, state: NIOLockedValueBox<(calls: [Call], script: Script?)>, accepted: ManagedAtomic<Int>) {
        self.channel = channel
        self.state = state
        self.accepted = accepted
    }

    public static func start(
        tls: NIOSSLContext? = nil,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        script: Script? = nil
    ) async throws -> RecordingPolicyProvider {
        let state = NIOLockedValueBox<(calls: [Call], script: Script?)>(([], script))
        let accepted = ManagedAtomic(0)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                accepted.wrappingIncrement(ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ProviderHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RecordingPolicyProvider(channel: channel, state: state, accepted: accepted)
    }

    public func close() async { try? await self.channel.close() }

    /// The default answers: allow unchanged; response phase returns the upstream response as described.
    public static func echo(_ call: Call) -> Answer {
        let json = call.json
        if call.path.hasSuffix("/sideband/request") {
            return Answer(body: call.body)
        }
        var answer: [String: Any] = [:]
        answer["response_code"] = json["response_code"] ?? "200"
        answer["response_status"] = json["response_status"] ?? "OK"
        answer["headers"] = json["headers"] ?? []
        answer["body"] = json["body"] ?? ""
        return .json(answer)
    }

    final class ProviderHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let state: NIOLockedValueBox<(calls: [Call], script: Script?)>
        private var head: HTTPRequestHead?
        private var body = ByteBuffer()

        init(state: NIOLockedValueBox<(calls: [Call], script: Script?)>) { self.state = state }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch self.unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                self.body.clear()
            case .body(var part):
                self.body.writeBuffer(&part)
            case .end:
                guard let head = self.head else { return }
                let call = Call(
                    path: head.uri,
                    headers: head.headers.map { ($0.name, $0.value) },
                    body: Data(self.body.readableBytesView)
                )
                let script = self.state.withLockedValue { state -> Script? in
                    state.calls.append(call)
                    return state.script
                }
                let answer = script?(call) ?? RecordingPolicyProvider.echo(call)
                if answer.status == 0 {
                    context.close(promise: nil)  // scripted connection drop
                    return
                }
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                if answer.delay > .zero {
                    context.eventLoop.scheduleTask(in: answer.delay) {
                        let (handler, context) = loopBound.value
                        handler.write(answer, context: context, keepAlive: head.isKeepAlive)
                    }
                } else {
                    self.write(answer, context: context, keepAlive: head.isKeepAlive)
                }
            }
        }

        private func write(_ answer: Answer, context: ChannelHandlerContext, keepAlive: Bool) {
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Correlation-Id", value: "test-\(UUID().uuidString.prefix(8))")
            for (name, value) in answer.headers { headers.replaceOrAdd(name: name, value: value) }
            headers.replaceOrAdd(name: "Content-Length", value: String(answer.body.count))
            context.write(self.wrapOutboundOut(.head(.init(version: .http1_1, status: .init(statusCode: answer.status), headers: headers))), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: answer.body)))), promise: nil)
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
