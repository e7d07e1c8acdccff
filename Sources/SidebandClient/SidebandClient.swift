public import ConnectionPool
public import HTTPClientPool
public import NIOCore
public import NIOHTTP1
public import NIOSSL

/// How one `ping-auth` instance talks to its policy provider.
public struct SidebandClientSettings: Sendable {
    public var endpoint: SidebandEndpoint
    /// Header that carries the shared secret (PingAuthorize's default is `CLIENT-TOKEN`).
    public var secretHeaderName: String
    /// Sent on every call; never logged.
    public var sharedSecret: String
    /// `connection_timeout_ms`: bounds the connect, and separately each write and each read gap of a call.
    public var timeout: TimeAmount
    /// `connection_keepAlive_ms`: how long an idle connection is kept for reuse.
    public var keepAlive: TimeAmount
    /// TLS client context for https providers (verification and trust roots already applied).
    public var tlsContext: NIOSSLContext?
    /// Answers larger than this are a provider failure (protects the gateway from a runaway provider).
    public var maxResponseBytes: Int
    /// `max_retries` / `retry_backoff_ms`.
    public var retryPolicy: RetryPolicy
    public var userAgent: String

    public init(
        endpoint: SidebandEndpoint,
        secretHeaderName: String,
        sharedSecret: String,
        timeout: TimeAmount,
        keepAlive: TimeAmount,
        tlsContext: NIOSSLContext?,
        maxResponseBytes: Int,
        retryPolicy: RetryPolicy,
        userAgent: String
    ) {
        self.endpoint = endpoint
        self.secretHeaderName = secretHeaderName
        self.sharedSecret = sharedSecret
        self.timeout = timeout
        self.keepAlive = keepAlive
        self.tlsContext = tlsContext
        self.maxResponseBytes = maxResponseBytes
        self.retryPolicy = retryPolicy
        self.userAgent = userAgent
    }
}

/// Which of the two Sideband API calls.
public enum SidebandPhase: Sendable, Hashable {
    case request
    case response

    public var label: String {
        switch self {
        case .request: "request"
        case .response: "response"
        }
    }
}

/// The provider's HTTP answer to one call.
public struct SidebandHTTPResponse {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// PingAuthorize's `Correlation-Id`, for our logs.
    public var correlationID: String? { self.headers.first(name: "correlation-id") }
}

/// Why a call got no answer.
public struct SidebandCallError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Kind: Hashable, Sendable {
        case connect(String)
        case timeout
        case closed
        case tooLarge
        case protocolError(String)
        case tls(String)
        case shutdown
    }

    private let kind: Kind

    public static func connect(_ error: any Error) -> SidebandCallError { .init(kind: .connect("\(error)")) }
    public static let timeout = SidebandCallError(kind: .timeout)
    public static let closed = SidebandCallError(kind: .closed)
    public static let tooLarge = SidebandCallError(kind: .tooLarge)
    public static func protocolError(_ error: any Error) -> SidebandCallError { .init(kind: .protocolError("\(error)")) }
    public static let shutdown = SidebandCallError(kind: .shutdown)
    public static func tls(_ error: any Error) -> SidebandCallError { .init(kind: .tls("\(error)")) }

    /// How the retry policy sees this failure; nil = never retried.
    var retryFailure: RetryPolicy.Failure? {
        switch self.kind {
        case .connect: .connectFailed
        case .timeout: .timedOut
        case .closed: .connectionClosed
        case .tls: .tlsFailed
        case .tooLarge, .protocolError: .invalidAnswer
        case .shutdown: nil
        }
    }

    public var isTimeout: Bool { self.kind == .timeout }
    public var isConnectFailure: Bool {
        if case .connect = self.kind { return true }
        return false
    }

    /// Bounded, for metric labels.
    public var shortDescription: String {
        switch self.kind {
        case .connect: "connect"
        case .timeout: "timeout"
        case .closed: "closed"
        case .tooLarge: "too_large"
        case .protocolError: "protocol"
        case .tls: "tls"
        case .shutdown: "shutdown"
        }
    }

    public var description: String {
        switch self.kind {
        case .connect(let detail): "cannot connect to the policy provider: \(detail)"
        case .timeout: "the policy provider timed out"
        case .closed: "the policy provider closed the connection"
        case .tooLarge: "the policy provider's answer is too large"
        case .protocolError(let detail): "bad HTTP from the policy provider: \(detail)"
        case .tls(let detail): "TLS with the policy provider failed: \(detail)"
        case .shutdown: "shutting down"
        }
    }
}

/// One `ping-auth` instance's calls to its provider from one event loop: keep-alive connections in an
/// `HTTPConnectionPool`, retries per `RetryPolicy`. Confined to its event loop.
public final class SidebandClient {
    public let settings: SidebandClientSettings
    public let eventLoop: any EventLoop
    let pool: HTTPConnectionPool<SidebandCall>
    /// The constant part of every call's head, built once.
    private let baseHeaders: HTTPHeaders

    public init(settings: SidebandClientSettings, eventLoop: any EventLoop) {
        self.settings = settings
        self.eventLoop = eventLoop
        self.pool = HTTPConnectionPool(
            host: settings.endpoint.host,
            port: settings.endpoint.port,
            eventLoop: eventLoop,
            configuration: ConnectionPoolConfiguration(
                maxConnections: 0,
                maxIdleConnections: 256,
                idleTimeoutNanoseconds: UInt64(max(1, settings.keepAlive.nanoseconds)),
                maxRequestsPerConnection: 0,
                queueTimeoutNanoseconds: UInt64(max(1, settings.timeout.nanoseconds))
            ),
            tlsContext: settings.tlsContext
        )
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: settings.endpoint.hostHeader)
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "Connection", value: "keep-alive")
        headers.add(name: "User-Agent", value: settings.userAgent)
        headers.add(name: settings.secretHeaderName, value: settings.sharedSecret)
        self.baseHeaders = headers
    }

    /// Connections opened so far (tests prove reuse with it).
    public var connectionsOpened: Int { self.pool.connectionsOpened }
    public var idleConnections: Int { self.pool.idleCount }
    public var leasedConnections: Int { self.pool.leasedCount }

    /// Sends `payload` to the phase's path and calls `completion` on this event loop with the answer, after
    /// retries. Returns the call so the caller can cancel it (the client went away).
    @discardableResult
    public func send(
        _ phase: SidebandPhase,
        payload: ByteBuffer,
        completion: @escaping (Result<SidebandHTTPResponse, SidebandCallError>) -> Void
    ) -> SidebandCall {
        self.eventLoop.assertInEventLoop()
        var headers = self.baseHeaders
        headers.add(name: "Content-Length", value: String(payload.readableBytes))
        let path = phase == .request ? self.settings.endpoint.requestPath : self.settings.endpoint.responsePath
        let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)
        let call = SidebandCall(client: self, head: head, payload: payload, completion: completion)
        call.start()
        return call
    }

    public func shutdown() {
        self.pool.shutdown()
    }
}

@available(*, unavailable)
extension SidebandClient: Sendable {}
