/// The counts of a run (or of one event loop's share of it): answers by status, errors by class.
///
/// What is a request: one load request as the source defines it (for the sideband target with the
/// response phase on, both calls together). It ends in exactly one of: an answer (``responses``, split into
/// succeeded and status errors), a timeout, or the loss of its connection (counted as a connect error).
/// Connect errors also count failed connection attempts that carried no request (refused, reset while
/// idle, TLS handshake failure), which is why ``connectErrors`` can exceed the requests it failed.
public struct RunTotals: Sendable, Equatable {
    /// Answers received, whatever their status (their latencies are the histogram).
    public private(set) var responses = 0
    /// Answers the source rejected: non-2xx, or for sideband an answer our parser refuses.
    public private(set) var statusErrors = 0
    /// Exchanges that took longer than the timeout.
    public private(set) var timeouts = 0
    /// Failed connects, and connections lost (reset, closed, TLS failure) with or without a request on them.
    public private(set) var connectErrors = 0
    /// The requests among ``connectErrors``: lost with their connection.
    public private(set) var lostRequests = 0
    /// Open model: measured requests still waiting for a free connection when the run ended.
    public var unsent = 0
    /// Answers per status code, indexed by the code (HTTP/1.1 status codes have three digits).
    private var statusCounts = [Int](repeating: 0, count: 1000)

    public init() {}

    /// Answers the source accepted (2xx, and for sideband an answer our parser reads).
    public var succeeded: Int { self.responses - self.statusErrors }

    /// Requests that ended: answered, timed out, or lost with their connection.
    public var requests: Int { self.responses + self.timeouts + self.lostRequests }

    /// Answers per status code, only the codes seen.
    public var statusCodes: [Int: Int] {
        var codes: [Int: Int] = [:]
        for (code, count) in self.statusCounts.enumerated() where count > 0 { codes[code] = count }
        return codes
    }

    /// An answer with this final status; `succeeded` as the source judged it.
    public mutating func countAnswer(status: Int, succeeded: Bool) {
        self.responses += 1
        if !succeeded { self.statusErrors += 1 }
        if (0..<self.statusCounts.count).contains(status) { self.statusCounts[status] += 1 }
    }

    public mutating func countTimeout() {
        self.timeouts += 1
    }

    /// A failed connect or a lost connection; `lostRequest` when a request was on it.
    public mutating func countConnectError(lostRequest: Bool) {
        self.connectErrors += 1
        if lostRequest { self.lostRequests += 1 }
    }

    /// Adds another share of the same run.
    public mutating func merge(_ other: RunTotals) {
        self.responses += other.responses
        self.statusErrors += other.statusErrors
        self.timeouts += other.timeouts
        self.connectErrors += other.connectErrors
        self.lostRequests += other.lostRequests
        self.unsent += other.unsent
        for index in self.statusCounts.indices { self.statusCounts[index] += other.statusCounts[index] }
    }
}

/// A latency histogram read out: the percentile curve and the usual summary numbers, in microseconds.
/// Pure data, so reports (JSON, `.hgrm`, plots) are built and tested without the histogram.
public struct LatencyDistribution: Sendable, Equatable {
    /// One step of HdrHistogram's percentile iteration.
    public struct Point: Sendable, Equatable {
        /// 0...100.
        public var percentile: Double
        /// The highest value equivalent to the recorded ones at this percentile.
        public var valueMicroseconds: UInt64
        /// Recorded values at or below `valueMicroseconds`.
        public var totalCount: UInt64

        public init(percentile: Double, valueMicroseconds: UInt64, totalCount: UInt64) {
            self.percentile = percentile
            self.valueMicroseconds = valueMicroseconds
            self.totalCount = totalCount
        }
    }

    /// Ascending percentiles, ending at 100; empty when nothing was recorded.
    public var points: [Point]
    public var totalCount: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var p999: UInt64
    public var max: UInt64
    public var mean: Double
    public var standardDeviation: Double
    /// The histogram's layout, for the `.hgrm` footer.
    public var bucketCount: Int
    public var subBucketCount: Int

    public init(
        points: [Point] = [],
        totalCount: UInt64 = 0,
        p50: UInt64 = 0,
        p90: UInt64 = 0,
        p99: UInt64 = 0,
        p999: UInt64 = 0,
        max: UInt64 = 0,
        mean: Double = 0,
        standardDeviation: Double = 0,
        bucketCount: Int = 0,
        subBucketCount: Int = 0
    ) {
        self.points = points
        self.totalCount = totalCount
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.mean = mean
        self.standardDeviation = standardDeviation
        self.bucketCount = bucketCount
        self.subBucketCount = subBucketCount
    }
}
