/// What one `bench` run does: which model, how hard, for how long. Plain values, validated once with
/// ``problems``; the runner trusts them.
public struct LoadPlan: Sendable, Equatable {
    /// How requests are sent.
    public enum Model: Sendable, Equatable {
        /// Constant arrival rate, independent of how fast answers come back (wrk2's model): request `i` is
        /// due at `start + i / rate`. A request that finds no free connection waits, and its latency still
        /// counts from its due time, so a stall is charged to every request it delayed (coordinated
        /// omission corrected). `rate` is in requests per second.
        case open(rate: Double)
        /// Each connection sends its next request as soon as the previous answer arrived (wrk's model);
        /// latency counts from the actual send. Shows the server's service time, hides queueing.
        case closed

        /// `"open"` or `"closed"`, as reports write it.
        public var name: String {
            switch self {
            case .open: "open"
            case .closed: "closed"
            }
        }

        /// The requested rate of the open model, nil for the closed one.
        public var rate: Double? {
            switch self {
            case .open(let rate): rate
            case .closed: nil
            }
        }
    }

    /// What is loaded: `"http"` (any URL) or `"sideband"` (a Sideband API), as reports write it.
    public var target: String
    /// The URL as the user gave it, for reports.
    public var url: String
    public var model: Model
    /// Open model: the most connections opened (default 64; requests queue when all are busy). Closed
    /// model: exactly this many connections, each sending back to back.
    public var connections: Int
    /// The measured period (default 10 s).
    public var duration: Duration
    /// Sent like the measured period but not recorded (default 0): lets connections, caches and JITs of the
    /// target warm up.
    public var warmup: Duration
    /// How long one HTTP exchange may take from its send to the end of its answer (default 5 s); also
    /// bounds each connect. Past it the exchange counts as a timeout and its connection is replaced.
    public var timeout: Duration
    /// Names the run in JSON and plots; nil: the plot uses the file name.
    public var label: String?

    public init(
        target: String,
        url: String,
        model: Model,
        connections: Int = 64,
        duration: Duration = .seconds(10),
        warmup: Duration = .zero,
        timeout: Duration = .seconds(5),
        label: String? = nil
    ) {
        self.target = target
        self.url = url
        self.model = model
        self.connections = connections
        self.duration = duration
        self.warmup = warmup
        self.timeout = timeout
        self.label = label
    }

    /// The most connections a plan may ask for: far above what one machine's loopback benchmarks need, and
    /// low enough that a typo (`--connections 6400000`) is refused rather than exhausting file descriptors.
    public static let maximumConnections = 100_000
    /// The highest open-model rate accepted (requests per second).
    public static let maximumRate = 10_000_000.0

    /// Everything wrong with the plan, one sentence each, naming the option; empty when it can run.
    public var problems: [String] {
        var problems: [String] = []
        if let rate = self.model.rate, !(rate > 0 && rate <= Self.maximumRate) {
            problems.append("--rate must be a number of requests per second above 0 (at most 10000000)")
        }
        if !(1...Self.maximumConnections).contains(self.connections) {
            problems.append("--connections must be between 1 and \(Self.maximumConnections)")
        }
        if self.duration <= .zero {
            problems.append("--duration must be longer than 0")
        }
        if self.warmup < .zero {
            problems.append("--warmup cannot be negative")
        }
        if self.timeout <= .zero {
            problems.append("--timeout must be longer than 0")
        }
        return problems
    }
}

extension Duration {
    /// The duration in whole nanoseconds (truncated; durations here are far below the 292 years an
    /// `Int64` of nanoseconds holds).
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// The duration in seconds, as a `Double`.
    var secondsValue: Double {
        let (seconds, attoseconds) = self.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
