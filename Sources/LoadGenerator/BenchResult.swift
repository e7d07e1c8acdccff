public import Foundation

/// The outcome of one run, as `--json` prints it and `bench plot` reads it back.
///
/// The keys are stable (scripts and dashboards read them): `target`, `url`, `label`, `model` (`"open"` /
/// `"closed"`), `rate` (requests per second, `null` for the closed model), `connections`, `duration_s`,
/// `warmup_s`, `timeout_s`, `requests`, `responses`, `unsent`, `throughput_rps` (answers per second over the
/// measured period), `errors` {`timeout`, `connect`, `status`}, `status_codes` {`"200"`: n}, `latency_ms`
/// {`p50`, `p90`, `p99`, `p99_9`, `max`, `mean`}, and `percentiles`: `[percentile, value_ms]` pairs
/// (percentile 0...100) along HdrHistogram's percentile iteration, for plotting; `gateway_latency_ms`: per
/// phase reported by a gateway's latency headers (`sideband_request`, `sideband_response`, `upstream`,
/// `gateway`: {`count`, `p50`, `p90`, `p99`, `max`} in whole ms), `null` when no answer had them. Every key is always
/// written (`null` where there is no value). Latencies are milliseconds with microsecond resolution.
public struct BenchResult: Codable, Sendable, Equatable {
    public struct Errors: Codable, Sendable, Equatable {
        public var timeout: Int
        public var connect: Int
        public var status: Int

        public init(timeout: Int, connect: Int, status: Int) {
            self.timeout = timeout
            self.connect = connect
            self.status = status
        }
    }

    public struct Latency: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var p99_9: Double
        public var max: Double
        public var mean: Double

        public init(p50: Double, p90: Double, p99: Double, p99_9: Double, max: Double, mean: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.p99_9 = p99_9
            self.max = max
            self.mean = mean
        }
    }

    public var target: String
    public var url: String
    public var label: String?
    public var model: String
    public var rate: Double?
    public var connections: Int
    public var durationSeconds: Double
    public var warmupSeconds: Double
    public var timeoutSeconds: Double
    /// Requests that ended in the measured period (answered, timed out, or lost with their connection).
    public var requests: Int
    /// Answers received, any status.
    public var responses: Int
    /// Open model: measured requests never sent because no connection was free before the end.
    public var unsent: Int
    public var throughputRPS: Double
    public var errors: Errors
    public var statusCodes: [String: Int]
    public var latencyMs: Latency
    /// `[percentile, value_ms]` pairs.
    public var percentiles: [[Double]]
    /// What the gateway reported per phase, by `GatewayPhase.key`.
    public var gatewayLatencyMs: [String: PhaseLatency]?

    enum CodingKeys: String, CodingKey {
        case target, url, label, model, rate, connections
        case durationSeconds = "duration_s"
        case warmupSeconds = "warmup_s"
        case timeoutSeconds = "timeout_s"
        case requests, responses, unsent
        case throughputRPS = "throughput_rps"
        case errors
        case statusCodes = "status_codes"
        case latencyMs = "latency_ms"
        case percentiles
        case gatewayLatencyMs = "gateway_latency_ms"
    }

    /// The report of a finished run.
    public init(
        plan: LoadPlan,
        totals: RunTotals,
        distribution: LatencyDistribution,
        gatewayPhases: [String: PhaseLatency]? = nil
    ) {
        self.gatewayLatencyMs = gatewayPhases
        let duration = plan.duration.secondsValue
        self.target = plan.target
        self.url = plan.url
        self.label = plan.label
        self.model = plan.model.name
        self.rate = plan.model.rate
        self.connections = plan.connections
        self.durationSeconds = duration
        self.warmupSeconds = plan.warmup.secondsValue
        self.timeoutSeconds = plan.timeout.secondsValue
        self.requests = totals.requests
        self.responses = totals.responses
        self.unsent = totals.unsent
        self.throughputRPS = Self.rounded(duration > 0 ? Double(totals.responses) / duration : 0, places: 2)
        self.errors = Errors(timeout: totals.timeouts, connect: totals.connectErrors, status: totals.statusErrors)
        self.statusCodes = Dictionary(uniqueKeysWithValues: totals.statusCodes.map { (String($0.key), $0.value) })
        self.latencyMs = Latency(
            p50: Self.milliseconds(distribution.p50),
            p90: Self.milliseconds(distribution.p90),
            p99: Self.milliseconds(distribution.p99),
            p99_9: Self.milliseconds(distribution.p999),
            max: Self.milliseconds(distribution.max),
            mean: Self.rounded(distribution.mean / 1000, places: 3)
        )
        self.percentiles = distribution.points.map {
            [Self.rounded($0.percentile, places: 6), Self.milliseconds($0.valueMicroseconds)]
        }
    }

    /// The report of a finished run, from everything its recorder holds.
    public init(plan: LoadPlan, recorder: LatencyRecorder, distribution: LatencyDistribution? = nil) {
        self.init(
            plan: plan,
            totals: recorder.totals,
            distribution: distribution ?? recorder.distribution(),
            gatewayPhases: recorder.phases.summary()
        )
    }

    /// Writes every key, `null` included (the synthesised encoder would omit nil ones).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.target, forKey: .target)
        try container.encode(self.url, forKey: .url)
        try container.encode(self.label, forKey: .label)
        try container.encode(self.model, forKey: .model)
        try container.encode(self.rate, forKey: .rate)
        try container.encode(self.connections, forKey: .connections)
        try container.encode(self.durationSeconds, forKey: .durationSeconds)
        try container.encode(self.warmupSeconds, forKey: .warmupSeconds)
        try container.encode(self.timeoutSeconds, forKey: .timeoutSeconds)
        try container.encode(self.requests, forKey: .requests)
        try container.encode(self.responses, forKey: .responses)
        try container.encode(self.unsent, forKey: .unsent)
        try container.encode(self.throughputRPS, forKey: .throughputRPS)
        try container.encode(self.errors, forKey: .errors)
        try container.encode(self.statusCodes, forKey: .statusCodes)
        try container.encode(self.latencyMs, forKey: .latencyMs)
        try container.encode(self.percentiles, forKey: .percentiles)
        try container.encode(self.gatewayLatencyMs, forKey: .gatewayLatencyMs)
    }

    /// One JSON object on one line, keys sorted (stable diffs between runs).
    public func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A result saved with `--json`.
    public static func decode(_ data: Data) throws -> BenchResult {
        try JSONDecoder().decode(BenchResult.self, from: data)
    }

    // MARK: - Numbers

    static func milliseconds(_ microseconds: UInt64) -> Double {
        Double(microseconds) / 1000
    }

    static func rounded(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
