import CoreMetrics
import NIOConcurrencyHelpers
import Prometheus

/// The gateway's Prometheus metrics, recorded through swift-metrics into one registry per gateway (so two
/// gateways in one process never mix their counts) and emitted as text on `/metrics`.
///
/// Names follow Kong's Prometheus plugin where Kong has the metric, so Kong dashboards keep working; ours
/// are prefixed `ping_auth_`. Every label value is bounded: service and route names come from the
/// configuration, codes are HTTP status codes, phases and outcomes are fixed sets. Metric objects are made
/// once (per route when the configuration is compiled, the rest here) so the request path never asks the
/// registry for them.
final class GatewayMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    /// `ping_auth_sideband_latency_ms{phase}`.
    let sidebandRequestLatency: CoreMetrics.Recorder
    let sidebandResponseLatency: CoreMetrics.Recorder
    /// `ping_auth_decisions_total{outcome}`, indexed by `DecisionOutcome`.
    private let decisions: [CoreMetrics.Counter]
    /// Set when `/metrics` is scraped, from the event loops' own counts.
    private let clientConnections: CoreMetrics.Gauge
    private let upstreamLeased: CoreMetrics.Gauge
    private let upstreamIdle: CoreMetrics.Gauge
    private let sidebandLeased: CoreMetrics.Gauge
    private let sidebandIdle: CoreMetrics.Gauge
    private let accessLogDropped: CoreMetrics.Counter
    /// `ping_auth_circuit_open{instance}`, one per instance seen; instances gone after a reload are removed.
    private let circuits: NIOLockedValueBox<[String: CoreMetrics.Gauge]>
    /// Route metrics by (service, route) name, so a reload keeps counting into the same series.
    private let routes: NIOLockedValueBox<[RouteMetrics.Key: RouteMetrics]>

    /// Kong's default latency buckets (ms), so existing Kong dashboards' bucket queries still apply.
    static let latencyBucketsMs: [Double] = [
        1, 2, 5, 7, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 100, 200, 300, 400, 500, 1000, 2000, 5000,
        10000, 30000, 60000,
    ]

    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultValueHistogramBuckets = Self.latencyBucketsMs
        self.registry = registry
        self.factory = factory
        self.sidebandRequestLatency = CoreMetrics.Recorder(
            label: "ping_auth_sideband_latency_ms", dimensions: [("phase", "request")], aggregate: true, factory: factory
        )
        self.sidebandResponseLatency = CoreMetrics.Recorder(
            label: "ping_auth_sideband_latency_ms", dimensions: [("phase", "response")], aggregate: true, factory: factory
        )
        self.decisions = DecisionOutcome.allCases.map {
            CoreMetrics.Counter(label: "ping_auth_decisions_total", dimensions: [("outcome", $0.label)], factory: factory)
        }
        self.clientConnections = CoreMetrics.Gauge(label: "ping_auth_client_connections", dimensions: [], factory: factory)
        self.upstreamLeased = CoreMetrics.Gauge(label: "ping_auth_upstream_connections", dimensions: [("state", "leased")], factory: factory)
        self.upstreamIdle = CoreMetrics.Gauge(label: "ping_auth_upstream_connections", dimensions: [("state", "idle")], factory: factory)
        self.sidebandLeased = CoreMetrics.Gauge(label: "ping_auth_sideband_connections", dimensions: [("state", "leased")], factory: factory)
        self.sidebandIdle = CoreMetrics.Gauge(label: "ping_auth_sideband_connections", dimensions: [("state", "idle")], factory: factory)
        self.accessLogDropped = CoreMetrics.Counter(label: "ping_auth_access_log_dropped_total", dimensions: [], factory: factory)
        self.circuits = NIOLockedValueBox([:])
        self.routes = NIOLockedValueBox([:])
    }

    func decision(_ outcome: DecisionOutcome) {
        self.decisions[outcome.rawValue].increment()
    }

    func accessLogLinesDropped(_ count: Int) {
        self.accessLogDropped.increment(by: count)
    }

    /// The metrics of one route (made on first use; called when a configuration is compiled).
    func route(service: String, route: String) -> RouteMetrics {
        let key = RouteMetrics.Key(service: service, route: route)
        return self.routes.withLockedValue { routes in
            if let existing = routes[key] { return existing }
            let made = RouteMetrics(key: key, factory: self.factory)
            routes[key] = made
            return made
        }
    }

    /// Requests no route matched (Kong labels them with empty service and route).
    var unmatched: RouteMetrics { self.route(service: "", route: "") }

    /// What `/metrics` shows: the gauges set from `snapshot`, then everything in Prometheus text format.
    func exposition(_ snapshot: GatewaySnapshot) -> [UInt8] {
        self.clientConnections.record(snapshot.clientConnections)
        self.upstreamLeased.record(snapshot.upstreamLeased)
        self.upstreamIdle.record(snapshot.upstreamIdle)
        self.sidebandLeased.record(snapshot.sidebandLeased)
        self.sidebandIdle.record(snapshot.sidebandIdle)
        self.circuits.withLockedValue { gauges in
            var seen = Set<String>()
            for (instance, open) in snapshot.circuits {
                seen.insert(instance)
                let gauge = gauges[instance] ?? {
                    let made = CoreMetrics.Gauge(label: "ping_auth_circuit_open", dimensions: [("instance", instance)], factory: self.factory)
                    gauges[instance] = made
                    return made
                }()
                gauge.record(open ? 1 : 0)
            }
            for (instance, gauge) in gauges where !seen.contains(instance) {
                gauge.destroy()
                gauges.removeValue(forKey: instance)
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(16 * 1024)
        self.registry.emit(into: &output)
        return output
    }
}

/// What a `ping-auth` decision came to, for `ping_auth_decisions_total{outcome}`.
enum DecisionOutcome: Int, CaseIterable, Sendable {
    /// The provider allowed the request (request phase).
    case allow
    /// The provider denied it, or answered a passthrough status (the upstream is not contacted).
    case deny
    /// No usable answer, failing closed (either phase).
    case error
    /// No usable answer, and `fail_open` let the request (or response) through.
    case failOpen
    /// Answered 429 by the instance itself: its circuit is open (or the provider just opened it).
    case circuitOpen

    var label: String {
        switch self {
        case .allow: "allow"
        case .deny: "deny"
        case .error: "error"
        case .failOpen: "fail_open"
        case .circuitOpen: "circuit_open"
        }
    }
}

/// The per-route series: Kong's request counter by status code, its three latency histograms, and
/// bandwidth. Shared by every event loop (the Prometheus types are thread-safe).
final class RouteMetrics: Sendable {
    struct Key: Hashable, Sendable {
        var service: String
        var route: String
    }

    let key: Key
    private let factory: PrometheusMetricsFactory
    /// `kong_request_latency_ms`: from the request head to the end of the response.
    let requestLatency: CoreMetrics.Recorder
    /// `kong_upstream_latency_ms`: from sending upstream to the upstream response head.
    let upstreamLatency: CoreMetrics.Recorder
    /// `kong_kong_latency_ms`: the gateway's own share (request latency minus upstream latency), which
    /// includes the sideband calls.
    let kongLatency: CoreMetrics.Recorder
    /// `kong_bandwidth_bytes{direction}`: body bytes received from clients and sent to them.
    let ingressBytes: CoreMetrics.Counter
    let egressBytes: CoreMetrics.Counter
    /// `kong_http_requests_total{code}` counters, made on first use of each code.
    private let requests: NIOLockedValueBox<[UInt: CoreMetrics.Counter]>

    init(key: Key, factory: PrometheusMetricsFactory) {
        self.key = key
        self.factory = factory
        let labels = [("service", key.service), ("route", key.route)]
        self.requestLatency = CoreMetrics.Recorder(label: "kong_request_latency_ms", dimensions: labels, aggregate: true, factory: factory)
        self.upstreamLatency = CoreMetrics.Recorder(label: "kong_upstream_latency_ms", dimensions: labels, aggregate: true, factory: factory)
        self.kongLatency = CoreMetrics.Recorder(label: "kong_kong_latency_ms", dimensions: labels, aggregate: true, factory: factory)
        self.ingressBytes = CoreMetrics.Counter(
            label: "kong_bandwidth_bytes", dimensions: labels + [("direction", "ingress")], factory: factory
        )
        self.egressBytes = CoreMetrics.Counter(
            label: "kong_bandwidth_bytes", dimensions: labels + [("direction", "egress")], factory: factory
        )
        self.requests = NIOLockedValueBox([:])
    }

    /// Counts one finished request.
    /// The `kong_http_requests_total` series of one status code (made on first use; event loops cache
    /// what this returns, so the lock is taken once per loop and code, not per request).
    func requestCounter(status: UInt) -> CoreMetrics.Counter {
        self.requests.withLockedValue { counters in
            if let counter = counters[status] { return counter }
            let made = CoreMetrics.Counter(
                label: "kong_http_requests_total",
                dimensions: [("service", self.key.service), ("route", self.key.route), ("code", String(status))],
                factory: self.factory
            )
            counters[status] = made
            return made
        }
    }

    /// Records one finished request's latencies and bytes (its counter is `requestCounter(status:)`).
    func record(_ record: RequestRecord) {
        self.requestLatency.record(record.totalMs)
        if let upstream = record.upstreamMs { self.upstreamLatency.record(upstream) }
        self.kongLatency.record(record.gatewayMs)
        if record.bytesReceived > 0 { self.ingressBytes.increment(by: record.bytesReceived) }
        if record.bytesSent > 0 { self.egressBytes.increment(by: record.bytesSent) }
    }
}

/// Counts gathered from the event loops when `/status` or `/metrics` is asked for.
struct GatewaySnapshot: Sendable {
    var clientConnections: Int
    var upstreamLeased: Int
    var upstreamIdle: Int
    var sidebandLeased: Int
    var sidebandIdle: Int
    var circuits: [(instance: String, open: Bool)]
}
