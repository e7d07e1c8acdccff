import GatewayConfig
import GatewayRouter
import NIOCore
import NIOSSL

/// Where upstream connections go; one connection pool per key on each event loop.
struct UpstreamKey: Hashable, Sendable {
    var scheme: UpstreamScheme
    var host: String
    var port: Int
    var tlsVerify: Bool
}

/// A service as the proxy path uses it: everything precomputed so no request re-derives it.
struct CompiledService: Sendable {
    var name: String?
    var key: UpstreamKey
    /// `Host` sent upstream when the route does not preserve the client's: the host, plus the port
    /// when it is not the scheme's default (as Kong's balancer writes it).
    var hostHeader: String
    var basePath: String?
    var connectTimeout: TimeAmount
    var readTimeout: TimeAmount
    var writeTimeout: TimeAmount
    var retries: Int
    var enabled: Bool
}

/// A route with its service and effective plugin resolved.
struct CompiledRoute: Sendable {
    var index: Int
    var name: String?
    var service: CompiledService?
    var preserveHost: Bool
    var allowsHTTP: Bool
    var allowsHTTPS: Bool
    var httpsRedirectStatus: Int
    /// The `ping-auth` instance covering this route (route > service > global), if any.
    var pingAuth: PingAuthInstance?
    /// This route's Prometheus series (labelled with its service's and its own name).
    var metrics: RouteMetrics
}

/// The immutable, validated and compiled form of one configuration file. A reload builds a new one and
/// swaps it into every event loop; requests in flight keep the one they started with.
final class CompiledConfiguration: Sendable {
    let source: GatewayConfiguration
    let router: Router
    let routes: [CompiledRoute]
    /// TLS client contexts for https upstreams, keyed by whether the certificate is verified.
    let upstreamTLS: UpstreamTLSContexts

    init(_ source: GatewayConfiguration, metrics: GatewayMetrics) throws {
        self.source = source
        let services = source.services.map { service in
            let defaultPort = service.scheme == .https ? 443 : 80
            return CompiledService(
                name: service.name,
                key: UpstreamKey(
                    scheme: service.scheme,
                    host: service.host,
                    port: service.port,
                    tlsVerify: service.tlsVerify
                ),
                hostHeader: service.port == defaultPort ? service.host : "\(service.host):\(service.port)",
                basePath: service.path,
                connectTimeout: .milliseconds(Int64(service.connectTimeoutMs)),
                readTimeout: .milliseconds(Int64(service.readTimeoutMs)),
                writeTimeout: .milliseconds(Int64(service.writeTimeoutMs)),
                retries: service.retries,
                enabled: service.enabled
            )
        }
        // One compiled instance per plugin entry, shared by every route it covers.
        var instances: [String: PingAuthInstance] = [:]
        func instance(for plugin: PluginConfig?) throws -> PingAuthInstance? {
            guard let plugin else { return nil }
            if let existing = instances[plugin.location] { return existing }
            let compiled = try PingAuthInstance(plugin: plugin)
            instances[plugin.location] = compiled
            return compiled
        }
        var specs: [RouteSpec] = []
        var routes: [CompiledRoute] = []
        for (index, route) in source.routes.enumerated() {
            let service = route.serviceIndex.map { services[$0] }
            if let service, !service.enabled { continue }
            specs.append(
                RouteSpec(
                    index: index,
                    methods: route.methods,
                    hosts: route.hosts,
                    paths: route.paths,
                    headers: route.headers.sorted { $0.key < $1.key }.map { (name: $0.key, values: $0.value) },
                    snis: route.snis,
                    regexPriority: route.regexPriority,
                    stripPath: route.stripPath
                )
            )
            routes.append(
                CompiledRoute(
                    index: index,
                    name: route.name,
                    service: service,
                    preserveHost: route.preserveHost,
                    allowsHTTP: route.protocols.contains("http"),
                    allowsHTTPS: route.protocols.contains("https"),
                    httpsRedirectStatus: route.httpsRedirectStatusCode,
                    pingAuth: try instance(for: source.effectivePlugin(named: "ping-auth", forRoute: index)),
                    metrics: metrics.route(service: service?.name ?? "", route: route.name ?? "")
                )
            )
        }
        self.router = try Router(routes: specs)
        var byIndex: [CompiledRoute] = []
        byIndex.reserveCapacity(source.routes.count)
        var compiled = routes.makeIterator()
        var next = compiled.next()
        for index in source.routes.indices {
            if let route = next, route.index == index {
                byIndex.append(route)
                next = compiled.next()
            } else {
                // a route of a disabled service: never matched, kept so indices line up
                byIndex.append(
                    CompiledRoute(
                        index: index, name: source.routes[index].name, service: nil, preserveHost: false,
                        allowsHTTP: false, allowsHTTPS: false, httpsRedirectStatus: 426, pingAuth: nil,
                        metrics: metrics.unmatched
                    )
                )
            }
        }
        self.routes = byIndex
        self.upstreamTLS = try UpstreamTLSContexts()
        self.pingAuthInstances = Array(instances.values)
        self.unmatchedMetrics = metrics.unmatched
    }

    /// The series of requests no route matched.
    let unmatchedMetrics: RouteMetrics

    /// Every compiled `ping-auth` instance (for status and for closing their connections on reload).
    let pingAuthInstances: [PingAuthInstance]
}

/// NIOSSL contexts are expensive to create (they load the trust store), so one per verification mode is
/// made per configuration and shared by every upstream connection.
struct UpstreamTLSContexts: Sendable {
    let verifying: NIOSSLContext
    let nonVerifying: NIOSSLContext

    init() throws {
        var verify = TLSConfiguration.makeClientConfiguration()
        verify.certificateVerification = .fullVerification
        self.verifying = try NIOSSLContext(configuration: verify)
        var noVerify = TLSConfiguration.makeClientConfiguration()
        noVerify.certificateVerification = .none
        self.nonVerifying = try NIOSSLContext(configuration: noVerify)
    }

    func context(verify: Bool) -> NIOSSLContext { verify ? self.verifying : self.nonVerifying }
}
