import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SidebandClient

/// Forward mode's way to the real policy provider: one `SidebandClient` (pooled keep-alive connections,
/// TLS, timeouts) per event loop and per presented secret, created on first use.
///
/// Calls go to `forwardTo`'s path prefix + the call's `/sideband/request` or `/sideband/response` (the
/// prefix the mock was called with is not carried over: the provider's prefix is part of its URL). The
/// payload is sent byte for byte with the caller's secret (the value of the rules' secret header, or
/// `CLIENT-TOKEN`), and the `SidebandClient`'s own headers; other headers of the call are not forwarded.
final class Forwarder: Sendable {
    /// The clients of one event loop, keyed by secret header name and secret. Confined to that loop.
    final class LoopClients {
        var clients: [ClientKey: SidebandClient] = [:]
    }

    struct ClientKey: Hashable {
        var secretHeaderName: String
        var secret: String
    }

    private struct LoopEntry: Sendable {
        var eventLoop: any EventLoop
        var clients: NIOLoopBound<LoopClients>
    }

    /// A garbage secret per call must not grow the client table without bound: past this many secrets on
    /// one loop, the table is emptied (its connections closed) and starts again.
    private static let maximumClientsPerLoop = 16

    let endpoint: SidebandEndpoint
    private let tlsContext: NIOSSLContext?
    private let timeout: TimeAmount
    private let loops = NIOLockedValueBox<[ObjectIdentifier: LoopEntry]>([:])

    init(forwardTo: String, tlsConfiguration: TLSConfiguration?, timeout: TimeAmount) throws(MockPDPError) {
        guard let endpoint = SidebandEndpoint(serviceURL: forwardTo) else { throw .invalidForwardURL(forwardTo) }
        self.endpoint = endpoint
        self.timeout = timeout
        if endpoint.tls {
            do {
                self.tlsContext = try NIOSSLContext(
                    configuration: tlsConfiguration ?? TLSConfiguration.makeClientConfiguration()
                )
            } catch {
                throw .tls("cannot build the client context for \(forwardTo): \(error)")
            }
        } else {
            self.tlsContext = nil
        }
    }

    /// The client for calls made from `eventLoop` (the caller must be on it) with this secret.
    func client(on eventLoop: any EventLoop, secretHeaderName: String, secret: String) -> SidebandClient {
        eventLoop.preconditionInEventLoop()
        let id = ObjectIdentifier(eventLoop)
        let entry = self.loops.withLockedValue { loops -> LoopEntry in
            if let entry = loops[id] { return entry }
            let entry = LoopEntry(eventLoop: eventLoop, clients: NIOLoopBound(LoopClients(), eventLoop: eventLoop))
            loops[id] = entry
            return entry
        }
        let table = entry.clients.value
        let key = ClientKey(secretHeaderName: secretHeaderName, secret: secret)
        if let client = table.clients[key] { return client }
        if table.clients.count >= Self.maximumClientsPerLoop {
            for client in table.clients.values { client.shutdown() }
            table.clients.removeAll()
        }
        let client = SidebandClient(
            settings: SidebandClientSettings(
                endpoint: self.endpoint,
                secretHeaderName: secretHeaderName,
                sharedSecret: secret,
                timeout: self.timeout,
                keepAlive: .seconds(60),
                tlsContext: self.tlsContext,
                maxResponseBytes: 16 << 20,
                retryPolicy: RetryPolicy(maxRetries: 0),
                userAgent: "ping-auth-proxy-mock-pdp"
            ),
            eventLoop: eventLoop
        )
        table.clients[key] = client
        return client
    }

    /// Closes every pooled connection, each on its own loop.
    func shutdown() async {
        let entries = self.loops.withLockedValue { loops in
            let entries = Array(loops.values)
            loops.removeAll()
            return entries
        }
        for entry in entries {
            let clients = entry.clients
            try? await entry.eventLoop.submit {
                for client in clients.value.clients.values { client.shutdown() }
                clients.value.clients.removeAll()
            }.get()
        }
    }
}

@available(*, unavailable)
extension Forwarder.LoopClients: Sendable {}
