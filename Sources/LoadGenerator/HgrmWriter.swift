import Foundation

/// The HdrHistogram percentile distribution text (`.hgrm`), in milliseconds, exactly as HdrHistogram's
/// `outputPercentileDistribution` and wrk2 print it, so HdrHistogram's plotter and other tools read it:
///
/// ```
///        Value     Percentile TotalCount 1/(1-Percentile)
///
///        0.412 0.000000000000          1           1.00
///        ...
///       12.001 1.000000000000      10000
/// #[Mean    =        0.488, StdDeviation   =        0.311]
/// #[Max     =       12.001, Total count    =        10000]
/// #[Buckets =           16, SubBuckets     =         2048]
/// ```
///
/// Values have three decimals (the histogram's three significant digits at microsecond resolution);
/// percentiles are fractions (0.99 for p99); the last line (100%) has no 1/(1-Percentile).
public enum HgrmWriter {
    public static func text(_ distribution: LatencyDistribution) -> String {
        var text = Self.padded("Value", 12) + " " + Self.padded("Percentile", 14) + " " + Self.padded("TotalCount", 10)
            + " " + Self.padded("1/(1-Percentile)", 14) + "\n\n"
        for point in distribution.points {
            let value = Double(point.valueMicroseconds) / 1000
            let fraction = point.percentile / 100
            if point.percentile < 100 {
                text += String(
                    format: "%12.3f %2.12f %10ld %14.2f\n",
                    value,
                    fraction,
                    Int(point.totalCount),
                    1 / (1 - fraction)
                )
            } else {
                text += String(format: "%12.3f %2.12f %10ld\n", value, fraction, Int(point.totalCount))
            }
        }
        text += String(
            format: "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n",
            distribution.mean / 1000,
            distribution.standardDeviation / 1000
        )
        text += String(
            format: "#[Max     = %12.3f, Total count    = %12ld]\n",
            Double(distribution.max) / 1000,
            Int(distribution.totalCount)
        )
        text += String(
            format: "#[Buckets = %12ld, SubBuckets     = %12ld]\n",
            distribution.bucketCount,
            distribution.subBucketCount
        )
        return text
    }

    /// Writes ``text(_:)`` to `path`, replacing the file.
    public static func write(_ distribution: LatencyDistribution, to path: String) throws {
        try Self.text(distribution).write(toFile: path, atomically: true, encoding: .utf8)
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
