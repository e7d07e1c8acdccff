#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a run is, gathered from every event loop about once a second.
public struct ProgressSnapshot: Sendable, Equatable {
    public var phase: RunWindow.Phase
    /// Since the first request was due.
    public var elapsedSeconds: Double
    /// Warm-up plus measured period.
    public var totalSeconds: Double
    /// Measured requests that ended so far.
    public var requests: Int
    /// Answers per second since the previous snapshot (warm-up included).
    public var recentThroughput: Double
    /// Timeouts, connect and status errors so far (measured).
    public var errors: Int
    /// Open model: requests due and waiting for a free connection right now.
    public var queued: Int
    /// p99 of the measured answers so far, in milliseconds; nil before the first.
    public var p99Milliseconds: Double?

    public init(
        phase: RunWindow.Phase,
        elapsedSeconds: Double,
        totalSeconds: Double,
        requests: Int,
        recentThroughput: Double,
        errors: Int,
        queued: Int,
        p99Milliseconds: Double?
    ) {
        self.phase = phase
        self.elapsedSeconds = elapsedSeconds
        self.totalSeconds = totalSeconds
        self.requests = requests
        self.recentThroughput = recentThroughput
        self.errors = errors
        self.queued = queued
        self.p99Milliseconds = p99Milliseconds
    }
}

/// The live one-line progress on stderr: rewritten in place with `\r` about once a second, only when stderr
/// is a terminal (a log file or a pipe gets nothing, so `--json` output and CI logs stay clean).
public struct ProgressDisplay: Sendable {
    /// Whether lines are written at all.
    public let isEnabled: Bool

    public init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    /// Enabled exactly when stderr is a terminal (`isatty(2)`).
    public static func forStandardError() -> ProgressDisplay {
        ProgressDisplay(isEnabled: isatty(2) != 0)
    }

    /// `[ 3.0s/11.0s] measuring   2998 req  1000 req/s  errors 0  queued 0  p99 1.234 ms`
    public static func line(_ snapshot: ProgressSnapshot) -> String {
        let phase: String
        switch snapshot.phase {
        case .notStarted: phase = "starting "
        case .warmup: phase = "warm-up  "
        case .measuring: phase = "measuring"
        case .over: phase = "finishing"
        }
        var line = "[" + Self.fixed(snapshot.elapsedSeconds, width: 5, decimals: 1) + "s/"
            + Self.fixed(snapshot.totalSeconds, width: 0, decimals: 1) + "s] " + phase
        line += " " + Self.padded(String(snapshot.requests), 8) + " req"
        line += "  " + Self.fixed(snapshot.recentThroughput, width: 0, decimals: 0) + " req/s"
        line += "  errors \(snapshot.errors)"
        line += "  queued \(snapshot.queued)"
        if let p99 = snapshot.p99Milliseconds {
            line += "  p99 " + Self.fixed(p99, width: 0, decimals: 3) + " ms"
        }
        return line
    }

    /// Rewrites the progress line.
    public func show(_ snapshot: ProgressSnapshot) {
        guard self.isEnabled else { return }
        // \r back to the start, the line, then "erase to end of line" for a shorter line than the last.
        Self.writeStandardError("\r" + Self.line(snapshot) + "\u{1B}[K")
    }

    /// Clears the progress line, so what follows starts on a clean line.
    public func finish() {
        guard self.isEnabled else { return }
        Self.writeStandardError("\r\u{1B}[K")
    }

    private static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// `value` with `decimals` decimals, right-aligned in `width` characters (no Foundation).
    static func fixed(_ value: Double, width: Int, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((max(0, value) * scale).rounded())
        var text = String(scaled / Int64(scale))
        if decimals > 0 {
            let fraction = String(scaled % Int64(scale))
            text += "." + String(repeating: "0", count: decimals - fraction.count) + fraction
        }
        return Self.padded(text, width)
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
