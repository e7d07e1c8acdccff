import Atomics
import GatewayConfig
import NIOCore
import NIOSSL
import SidebandClient

/// One `ping-auth` plugin instance, compiled once per configuration and shared by the routes it covers and
/// by every event loop: its settings, its provider's TLS context, and its circuit breaker. Each event loop
/// has its own `SidebandClient` (connections) for it, found by `id`.
final class PingAuthInstance: Sendable {
    let config: PingAuthConfig
    /// `services[0].plugins[0]`: identifies the instance in logs and status.
    let location: String
    let clientSettings: SidebandClientSettings
    let passthroughStatusCodes: Set<Int>
    /// Lower-cased header names whose values are redacted in debug logs (plus the secret header).
    let redactedHeaders: Set<String>
    let breaker: SharedCircuitBreaker

    init(plugin: PluginConfig) throws {
        let config = plugin.pingAuth
        self.config = config
        self.location = plugin.instanceName ?? plugin.location
        guard let endpoint = SidebandEndpoint(serviceURL: config.serviceURL) else {
            throw PingAuthInstanceError(location: plugin.location + ".config.service_url", reason: "not a usable URL")
        }
        var tlsContext: NIOSSLContext? = nil
        if endpoint.tls {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = config.verifyServiceCertificate ? .fullVerification : .none
            if let caBundle = config.caBundle { tls.trustRoots = .file(caBundle) }
            tlsContext = try NIOSSLContext(configuration: tls)
        }
        self.clientSettings = SidebandClientSettings(
            endpoint: endpoint,
            secretHeaderName: config.secretHeaderName,
            sharedSecret: config.sharedSecret,
            timeout: .milliseconds(Int64(config.connectionTimeoutMs)),
            keepAlive: .milliseconds(Int64(config.connectionKeepAliveMs)),
            tlsContext: tlsContext,
            maxResponseBytes: max(config.maxSidebandBodyBytes * 2, 1 << 20) + 65_536,
            retryPolicy: RetryPolicy(maxRetries: config.maxRetries, backoffMilliseconds: config.retryBackoffMs),
            userAgent: "ping-auth-proxy/\(GatewayVersion.string)"
        )
        self.passthroughStatusCodes = Set(config.passthroughStatusCodes)
        self.redactedHeaders = Set(config.redactHeaders.map { $0.lowercased() } + [config.secretHeaderName.lowercased()])
        self.breaker = SharedCircuitBreaker(enabled: config.circuitBreakerEnabled)
    }

    /// Whether a body of this content type is described to the policy (`include_body_content_types`).
    func describesBody(contentType: String?) -> Bool {
        let patterns = self.config.includeBodyContentTypes
        if patterns.contains("*") { return true }
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map {
            $0.trimmingASCIISpaces().lowercased()
        } ?? ""
        for pattern in patterns {
            let pattern = pattern.lowercased()
            if pattern == mediaType { return true }
            if pattern.hasSuffix("/*"), mediaType.hasPrefix(pattern.dropLast()) { return true }
        }
        return false
    }
}

struct PingAuthInstanceError: Error, CustomStringConvertible {
    var location: String
    var reason: String
    var description: String { "\(self.location): \(self.reason)" }
}

/// The instance's circuit breaker, shared by all event loops without a lock: the whole state is the
/// monotonic instant until which the circuit is open (0 = closed), read on every request and written
/// only when the provider answers 429. The transitions are those of `CircuitBreaker` (the tested model).
final class SharedCircuitBreaker: Sendable {
    let enabled: Bool
    private let openUntil = ManagedAtomic<UInt64>(0)

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// nil when calls may go through; otherwise the seconds left, rounded up.
    func secondsLeftOpen(now: UInt64) -> Int? {
        guard self.enabled else { return nil }
        let until = self.openUntil.load(ordering: .relaxed)
        guard now < until else { return nil }
        return CircuitBreaker.secondsRoundedUp(nanoseconds: until - now)
    }

    /// The provider said 429: open for `seconds` (never shortening a window already open); the window is
    /// bounded as `CircuitBreaker.openWindowSeconds` bounds it.
    func open(forSeconds seconds: Int, now: UInt64) {
        guard self.enabled else { return }
        let until = now + UInt64(CircuitBreaker.openWindowSeconds(retryAfterSeconds: seconds)) * 1_000_000_000
        var current = self.openUntil.load(ordering: .relaxed)
        while current < until {
            let (exchanged, original) = self.openUntil.compareExchange(
                expected: current,
                desired: until,
                ordering: .relaxed
            )
            if exchanged { break }
            current = original
        }
    }

    var isOpen: Bool { self.secondsLeftOpen(now: NIODeadline.now().uptimeNanoseconds) != nil }
}
