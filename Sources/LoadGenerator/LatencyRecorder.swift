public import Histogram

/// What one event loop measured: an HdrHistogram of answer latencies in microseconds (1 µs to 60 s, three
/// significant digits) and the run's counts. One per loop, never shared; merged when the run ends.
///
/// Only answers are in the histogram (whatever their status: a fast 503 is still a latency). Timeouts and
/// lost connections are counted, not timed: their latency is not known, only bounded.
public struct LatencyRecorder: Sendable {
    /// 60 s: longer latencies are recorded as 60 s (the timeout is far below it in any sensible run).
    public static let highestTrackableMicroseconds: UInt64 = 60_000_000
    /// Iteration steps per halving of the distance to 100%, as HdrHistogram's and wrk2's reports use.
    public static let percentileTicksPerHalfDistance = 5

    public private(set) var histogram: Histogram<UInt64>
    public var totals = RunTotals()
    /// What the gateway's latency headers reported, when the target sends them.
    public var phases = GatewayPhaseRecorder()

    public init() {
        self.histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.highestTrackableMicroseconds,
            numberOfSignificantValueDigits: .three
        )
    }

    /// An answer `latencyNanoseconds` after its due (open model) or send (closed model) time.
    public mutating func recordAnswer(latencyNanoseconds: UInt64, status: Int, succeeded: Bool) {
        let microseconds = min(Self.highestTrackableMicroseconds, max(1, (latencyNanoseconds + 500) / 1000))
        self.histogram.record(microseconds)
        self.totals.countAnswer(status: status, succeeded: succeeded)
    }

    public mutating func merge(_ other: LatencyRecorder) {
        self.histogram.add(other.histogram)
        self.totals.merge(other.totals)
        self.phases.merge(other.phases)
    }

    /// The value at `percentile` (0...100) in microseconds; 0 with nothing recorded.
    public func microseconds(atPercentile percentile: Double) -> UInt64 {
        self.histogram.totalCount == 0 ? 0 : self.histogram.valueAtPercentile(percentile)
    }

    /// The histogram read out for reports.
    public func distribution() -> LatencyDistribution {
        let histogram = self.histogram
        guard histogram.totalCount > 0 else {
            return LatencyDistribution(bucketCount: Self.bucketCount, subBucketCount: Self.subBucketCount)
        }
        var points: [LatencyDistribution.Point] = []
        for step in histogram.percentiles(ticksPerHalfDistance: Self.percentileTicksPerHalfDistance) {
            points.append(
                LatencyDistribution.Point(
                    percentile: step.percentileLevelIteratedTo,
                    valueMicroseconds: step.value,
                    totalCount: step.totalCountToThisValue
                )
            )
        }
        return LatencyDistribution(
            points: points,
            totalCount: histogram.totalCount,
            p50: histogram.valueAtPercentile(50),
            p90: histogram.valueAtPercentile(90),
            p99: histogram.valueAtPercentile(99),
            p999: histogram.valueAtPercentile(99.9),
            max: histogram.max,
            mean: histogram.mean,
            standardDeviation: histogram.stdDeviation,
            bucketCount: Self.bucketCount,
            subBucketCount: Self.subBucketCount
        )
    }

    /// Sub-buckets per bucket for three significant digits: the power of two at or above 2 × 10³
    /// (HdrHistogram keeps unit resolution up to twice the precision).
    static let subBucketCount = 2048

    /// Buckets needed to reach ``highestTrackableMicroseconds`` from sub-bucket count 2048 at unit
    /// resolution, as HdrHistogram sizes them (each bucket doubles the range); its `bucketCount` is not
    /// public, and the `.hgrm` footer prints it.
    static let bucketCount: Int = {
        var smallestUntrackable = UInt64(LatencyRecorder.subBucketCount)
        var buckets = 1
        while smallestUntrackable <= LatencyRecorder.highestTrackableMicroseconds {
            if smallestUntrackable > UInt64.max / 2 { return buckets + 1 }
            smallestUntrackable <<= 1
            buckets += 1
        }
        return buckets
    }()
}
