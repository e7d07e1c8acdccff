import Foundation

extension BenchResult {
    /// The human summary `bench` prints on stdout, e.g.
    ///
    /// ```
    /// sideband http://127.0.0.1:9100 (run-a)
    ///   open model: 1000 req/s, at most 64 connections, 10s measured after 1s warm-up, timeout 5s
    ///   requests     10000 ended, 10000 answered, 1000.00 answers/s, 0 unsent
    ///   latency ms   p50 0.412  p90 0.733  p99 2.104  p99.9 8.390  max 12.001  mean 0.488
    ///   errors       timeout 0  connect 0  status 0
    ///   status       200: 10000
    /// ```
    public var summaryText: String {
        var lines: [String] = []
        lines.append("\(self.target) \(self.url)" + (self.label.map { " (\($0))" } ?? ""))
        let model: String
        if let rate = self.rate {
            model = "open model: \(Self.number(rate)) req/s, at most \(self.connections) connections"
        } else {
            model = "closed model: \(self.connections) connections back to back"
        }
        let warmup = self.warmupSeconds > 0 ? " after \(Self.number(self.warmupSeconds))s warm-up" : ""
        let timeout = Self.number(self.timeoutSeconds)
        lines.append("  \(model), \(Self.number(self.durationSeconds))s measured\(warmup), timeout \(timeout)s")
        var requests = "  requests     \(self.requests) ended, \(self.responses) answered, "
            + String(format: "%.2f", self.throughputRPS) + " answers/s"
        if self.rate != nil { requests += ", \(self.unsent) unsent" }
        lines.append(requests)
        let latency = self.latencyMs
        lines.append(
            "  latency ms   p50 \(Self.ms(latency.p50))  p90 \(Self.ms(latency.p90))  p99 \(Self.ms(latency.p99))  "
                + "p99.9 \(Self.ms(latency.p99_9))  max \(Self.ms(latency.max))  mean \(Self.ms(latency.mean))"
        )
        let errors = self.errors
        lines.append("  errors       timeout \(errors.timeout)  connect \(errors.connect)  status \(errors.status)")
        let codes = self.statusCodes.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }
            .map { "\($0.key): \($0.value)" }
        lines.append("  status       " + (codes.isEmpty ? "none" : codes.joined(separator: "  ")))
        if let phases = self.gatewayLatencyMs {
            // The gateway's own account (its latency headers, whole ms): where the time went.
            let parts = GatewayPhase.allCases.compactMap { phase in
                phases[phase.key].map { "\(phase.key) p50 \(Self.number($0.p50)) p99 \(Self.number($0.p99))" }
            }
            lines.append("  gateway ms   " + parts.joined(separator: "  |  "))
        }
        if self.rate != nil && self.unsent > 0 {
            lines.append(
                "  note: \(self.unsent) requests were still queued for a connection at the end: the target could not "
                    + "keep up with this rate over these connections"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func ms(_ value: Double) -> String {
        String(format: "%.3f", value)
    }

    /// Integers without decimals, others with up to three.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : DurationText.trimmed(value)
    }
}
