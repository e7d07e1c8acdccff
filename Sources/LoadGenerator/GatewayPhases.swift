public import Histogram
public import NIOHTTP1

/// Where a gateway says a request's time went, from the latency headers it adds to its responses:
/// ping-auth-proxy's `X-Ping-Auth-Request-Latency` / `X-Ping-Auth-Response-Latency` (each sideband call)
/// and Kong's `X-Kong-Upstream-Latency` / `X-Kong-Proxy-Latency` (which ping-auth-proxy sends too). Kept
/// beside the client-side latency so a run through the gateway can be attributed: provider, upstream, or
/// the gateway itself. Whole milliseconds, as the headers carry them.
public enum GatewayPhase: Int, CaseIterable, Sendable {
    case sidebandRequest
    case sidebandResponse
    case upstream
    case gateway

    /// The header that reports this phase (lower case).
    public var header: String {
        switch self {
        case .sidebandRequest: "x-ping-auth-request-latency"
        case .sidebandResponse: "x-ping-auth-response-latency"
        case .upstream: "x-kong-upstream-latency"
        case .gateway: "x-kong-proxy-latency"
        }
    }

    /// The key in `--json`'s `gateway_latency_ms` and in the summary.
    public var key: String {
        switch self {
        case .sidebandRequest: "sideband_request"
        case .sidebandResponse: "sideband_response"
        case .upstream: "upstream"
        case .gateway: "gateway"
        }
    }
}

/// The phase latencies one answer reported (nil: that header was absent). Fixed fields, not an array:
/// it is read from every answer of a run and must not allocate.
public struct GatewayPhaseSample: Sendable, Equatable {
    private var sidebandRequest: UInt64?
    private var sidebandResponse: UInt64?
    private var upstream: UInt64?
    private var gateway: UInt64?

    public init() {}

    public subscript(phase: GatewayPhase) -> UInt64? {
        get {
            switch phase {
            case .sidebandRequest: self.sidebandRequest
            case .sidebandResponse: self.sidebandResponse
            case .upstream: self.upstream
            case .gateway: self.gateway
            }
        }
        set {
            switch phase {
            case .sidebandRequest: self.sidebandRequest = newValue
            case .sidebandResponse: self.sidebandResponse = newValue
            case .upstream: self.upstream = newValue
            case .gateway: self.gateway = newValue
            }
        }
    }

    /// nil when the answer carries none of the headers (not a gateway, or latency headers off).
    public static func read(_ headers: HTTPHeaders) -> GatewayPhaseSample? {
        var sample = GatewayPhaseSample()
        var found = false
        for phase in GatewayPhase.allCases {
            guard let text = headers.first(name: phase.header), let value = UInt64(text) else { continue }
            sample[phase] = value
            found = true
        }
        return found ? sample : nil
    }
}

/// One phase's distribution in a report.
public struct PhaseLatency: Codable, Sendable, Equatable {
    public var count: Int
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var max: Double

    public init(count: Int, p50: Double, p90: Double, p99: Double, max: Double) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }
}

/// A histogram per phase (1 ms to 60 s, three significant digits), per event loop, merged at the end.
public struct GatewayPhaseRecorder: Sendable {
    private var histograms: [Histogram<UInt64>]

    public init() {
        self.histograms = GatewayPhase.allCases.map { _ in
            Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000, numberOfSignificantValueDigits: .three)
        }
    }

    public mutating func record(_ sample: GatewayPhaseSample) {
        for phase in GatewayPhase.allCases {
            guard let value = sample[phase] else { continue }
            // Whole milliseconds: 0 is a real value (under a millisecond), kept in the lowest bucket.
            self.histograms[phase.rawValue].record(min(60_000, value))
        }
    }

    public mutating func merge(_ other: GatewayPhaseRecorder) {
        for index in self.histograms.indices {
            self.histograms[index].add(other.histograms[index])
        }
    }

    /// The phases some answer reported, by key; nil when none did.
    public func summary() -> [String: PhaseLatency]? {
        var summary: [String: PhaseLatency] = [:]
        for phase in GatewayPhase.allCases {
            let histogram = self.histograms[phase.rawValue]
            guard histogram.totalCount > 0 else { continue }
            summary[phase.key] = PhaseLatency(
                count: Int(histogram.totalCount),
                p50: Double(histogram.valueAtPercentile(50)),
                p90: Double(histogram.valueAtPercentile(90)),
                p99: Double(histogram.valueAtPercentile(99)),
                max: Double(histogram.max)
            )
        }
        return summary.isEmpty ? nil : summary
    }
}
