import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Where the load goes and how connections are secured: the URL, and for `https` the TLS client context
/// (trust roots and verification decided once, shared by every connection).
public struct LoadTarget: Sendable {
    public let url: TargetURL
    /// nil for `http`.
    let tlsContext: NIOSSLContext?

    /// - Parameters:
    ///   - url: the target; `https` gets TLS with SNI (the host name; none for an IP address).
    ///   - caBundlePath: PEM file with the certificate authorities to trust instead of the system's
    ///     (`--ca-bundle`, the plugin's `ca_bundle`).
    ///   - verifyCertificate: false accepts any certificate (`--insecure`, the plugin's
    ///     `verify_service_certificate: false`).
    public init(url: TargetURL, caBundlePath: String? = nil, verifyCertificate: Bool = true) throws(LoadRunError) {
        self.url = url
        guard url.isTLS else {
            self.tlsContext = nil
            return
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = verifyCertificate ? .fullVerification : .none
        if let caBundlePath {
            configuration.trustRoots = .file(caBundlePath)
        }
        do {
            self.tlsContext = try NIOSSLContext(configuration: configuration)
        } catch {
            throw LoadRunError.tlsSetup("\(caBundlePath.map { "--ca-bundle \($0): " } ?? "")\(error)")
        }
    }

    /// A connection to the target on `loop`: TLS with SNI for https, then the HTTP/1.1 client codec,
    /// then `handler`. NIO's outbound header validation is off: every request was checked when it was
    /// built (template, `--header`, secret), and re-checking it per request would load the measuring side.
    func bootstrap(
        on loop: any EventLoop,
        timeout: TimeAmount,
        handler: @escaping @Sendable () -> any ChannelHandler
    ) -> ClientBootstrap {
        let tlsContext = self.tlsContext
        let serverName = self.url.tlsServerName
        return ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    if let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverName))
                    }
                    try sync.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try sync.addHandler(handler())
                }
            }
    }
}

/// Why a run could not start. Errors during a run are counted, never thrown.
public struct LoadRunError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case invalidPlan([String])
        case tlsSetup(String)
        case unreachable(String)
    }

    private let kind: Kind

    /// The plan has problems (each names its option).
    public static func invalidPlan(_ problems: [String]) -> LoadRunError { .init(kind: .invalidPlan(problems)) }
    /// The TLS client context cannot be made (unreadable or invalid CA bundle).
    public static func tlsSetup(_ detail: String) -> LoadRunError { .init(kind: .tlsSetup(detail)) }
    /// The first request, sent before the run, got no answer: refused, reset, TLS failure, or timeout.
    public static func unreachable(_ detail: String) -> LoadRunError { .init(kind: .unreachable(detail)) }

    public var isUnreachable: Bool {
        if case .unreachable = self.kind { return true }
        return false
    }

    /// Bounded, for logs and tests.
    public var shortDescription: String {
        switch self.kind {
        case .invalidPlan: "invalid_plan"
        case .tlsSetup: "tls_setup"
        case .unreachable: "unreachable"
        }
    }

    public var description: String {
        switch self.kind {
        case .invalidPlan(let problems): problems.joined(separator: "; ")
        case .tlsSetup(let detail): "cannot set up TLS: \(detail)"
        case .unreachable(let detail): "the target cannot be reached: \(detail)"
        }
    }
}
