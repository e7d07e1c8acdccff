import Foundation
import LoadGenerator
import Testing

/// The reports' shapes: the recorder's numbers, the JSON keys, the `.hgrm` text and the HTML plot.
@Suite struct ReportTests {
    /// 1..1000 ms, one each, plus answers with other statuses and every error class.
    static func recorder() -> LatencyRecorder {
        var recorder = LatencyRecorder()
        for millisecond in 1...1000 {
            recorder.recordAnswer(latencyNanoseconds: UInt64(millisecond) * 1_000_000, status: 200, succeeded: true)
        }
        recorder.recordAnswer(latencyNanoseconds: 2_000_000, status: 503, succeeded: false)
        recorder.totals.countTimeout()
        recorder.totals.countConnectError(lostRequest: true)
        recorder.totals.countConnectError(lostRequest: false)
        recorder.totals.unsent = 3
        return recorder
    }

    static let plan = LoadPlan(
        target: "sideband",
        url: "http://127.0.0.1:9100",
        model: .open(rate: 100),
        connections: 8,
        duration: .seconds(10),
        warmup: .seconds(1),
        label: "run <a>"
    )

    @Test func theRecorderCountsEveryOutcomeAndMerges() {
        var recorder = Self.recorder()
        #expect(recorder.totals.responses == 1001)
        #expect(recorder.totals.succeeded == 1000)
        #expect(recorder.totals.statusErrors == 1)
        #expect(recorder.totals.requests == 1001 + 1 + 1)
        #expect(recorder.totals.connectErrors == 2)
        #expect(recorder.totals.statusCodes == [200: 1000, 503: 1])
        // Three significant digits: 500 ms is reported within 0.1%.
        let p50 = recorder.microseconds(atPercentile: 50)
        #expect(p50 >= 499_000 && p50 <= 501_000)

        recorder.merge(Self.recorder())
        #expect(recorder.totals.responses == 2002)
        #expect(recorder.totals.statusCodes == [200: 2000, 503: 2])
        #expect(recorder.totals.unsent == 6)
        #expect(recorder.distribution().totalCount == 2002)
    }

    @Test func latenciesBeyondTheRangeAreClampedNotLost() {
        var recorder = LatencyRecorder()
        recorder.recordAnswer(latencyNanoseconds: 0, status: 200, succeeded: true)
        recorder.recordAnswer(latencyNanoseconds: 120_000_000_000, status: 200, succeeded: true)
        #expect(recorder.distribution().totalCount == 2)
        #expect(recorder.microseconds(atPercentile: 100) >= 59_000_000)
        #expect(recorder.microseconds(atPercentile: 0) >= 1)
    }

    @Test func theJSONResultHasEveryStableKeyAndReadsBack() throws {
        let recorder = Self.recorder()
        let result = BenchResult(plan: Self.plan, totals: recorder.totals, distribution: recorder.distribution())
        let text = try result.jsonText()
        #expect(!text.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        for key in [
            "target", "url", "label", "model", "rate", "connections", "duration_s", "requests", "throughput_rps",
            "errors", "status_codes", "latency_ms", "percentiles",
        ] {
            #expect(object[key] != nil, "\(key)")
        }
        let latencyKeys = try #require(object["latency_ms"] as? [String: Any]).keys
        #expect(Set(latencyKeys) == ["p50", "p90", "p99", "p99_9", "max", "mean"])
        #expect(Set(try #require(object["errors"] as? [String: Any]).keys) == ["timeout", "connect", "status"])
        #expect(text.contains(#""model":"open""#))
        #expect(text.contains(#""requests":1003"#))
        #expect(text.contains(#""status_codes":{"200":1000,"503":1}"#))

        let decoded = try BenchResult.decode(Data(text.utf8))
        #expect(decoded == result)
        #expect(decoded.rate == 100)
        #expect(decoded.throughputRPS == 100.1)
        #expect(decoded.errors == BenchResult.Errors(timeout: 1, connect: 2, status: 1))
        #expect(abs(decoded.latencyMs.p99 - 990) < 1)
        #expect(abs(decoded.latencyMs.max - 1000) < 1)
        #expect(decoded.latencyMs.p50 < decoded.latencyMs.p90)
        let percentiles = decoded.percentiles
        #expect(percentiles.count > 20)
        #expect(percentiles.allSatisfy { $0.count == 2 })
        #expect(percentiles.first?[0] == 0)
        #expect(percentiles.last?[0] == 100)
        #expect(zip(percentiles, percentiles.dropFirst()).allSatisfy { $0[0] <= $1[0] && $0[1] <= $1[1] })
    }

    @Test func theClosedModelWritesNullForRateAndLabel() throws {
        let plan = LoadPlan(target: "http", url: "http://h/", model: .closed)
        let result = BenchResult(plan: plan, totals: RunTotals(), distribution: LatencyDistribution())
        let text = try result.jsonText()
        #expect(text.contains(#""rate":null"#))
        #expect(text.contains(#""label":null"#))
        #expect(text.contains(#""model":"closed""#))
        #expect(text.contains(#""percentiles":[]"#))
        #expect(try BenchResult.decode(Data(text.utf8)) == result)
    }

    @Test func theHgrmTextIsHdrHistogramsPercentileDistribution() throws {
        let text = HgrmWriter.text(Self.recorder().distribution())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "       Value     Percentile TotalCount 1/(1-Percentile)")
        #expect(lines[1] == "")
        let rows = lines.dropFirst(2).filter { !$0.isEmpty && !$0.hasPrefix("#") }
        #expect(rows.count > 20)
        let first = rows.first!.split(separator: " ")
        #expect(first.count == 4)
        #expect(first[1] == "0.000000000000")
        let last = rows.last!.split(separator: " ")
        #expect(last.count == 3)
        #expect(last[1] == "1.000000000000")
        #expect(last[2] == "1001")
        #expect(abs(Double(last[0])! - 1000) < 1)
        #expect(text.contains("#[Mean    = "))
        #expect(text.contains("#[Max     = "))
        #expect(text.contains("Total count    =         1001]"))
        #expect(text.contains("#[Buckets =           16, SubBuckets     =         2048]"))
    }

    @Test func thePlotIsOneSelfContainedPageWithACurvePerRun() throws {
        let recorder = Self.recorder()
        let result = BenchResult(plan: Self.plan, totals: recorder.totals, distribution: recorder.distribution())
        var other = result
        other.label = nil
        other.percentiles = result.percentiles.map { [$0[0], $0[1] * 2] }
        let html = PercentilePlot.html(
            title: "two runs",
            series: [
                PlotSeries(result: result, fallbackLabel: "first.json"),
                PlotSeries(result: other, fallbackLabel: "second"),
            ]
        )
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<svg"))
        #expect(html.contains("</svg>"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.components(separatedBy: "<polyline").count == 3)
        // The label is escaped, the fallback is used for the run without one.
        #expect(html.contains("run &lt;a&gt;"))
        #expect(!html.contains("run <a>"))
        #expect(html.contains(">second<"))
        for label in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"] {
            #expect(html.contains(">\(label)<"), "\(label)")
        }
        // Nothing loaded from anywhere.
        for forbidden in ["src=", "href=", "<script", "<link", "url(", "http://", "https://", "@import"] {
            #expect(!html.lowercased().contains(forbidden), "\(forbidden)")
        }
    }

    @Test func theXAxisCountsNines() {
        #expect(PercentilePlot.nines(0) == 0)
        #expect(abs(PercentilePlot.nines(90) - 1) < 1e-9)
        #expect(abs(PercentilePlot.nines(99) - 2) < 1e-9)
        #expect(abs(PercentilePlot.nines(99.9) - 3) < 1e-9)
        #expect(PercentilePlot.nines(100) == 5)
        #expect(PercentilePlot.nines(99.99999) == 5)
    }

    @Test func theSummaryNamesTheModelAndEveryNumber() {
        let recorder = Self.recorder()
        let summary = BenchResult(plan: Self.plan, totals: recorder.totals, distribution: recorder.distribution())
            .summaryText
        #expect(summary.contains("sideband http://127.0.0.1:9100 (run <a>)"))
        #expect(summary.contains("open model: 100 req/s, at most 8 connections, 10s measured after 1s warm-up"))
        #expect(summary.contains("1003 ended, 1001 answered, 100.10 answers/s, 3 unsent"))
        #expect(summary.contains("errors       timeout 1  connect 2  status 1"))
        #expect(summary.contains("status       200: 1000  503: 1"))
        #expect(summary.contains("p99.9 "))
    }

    @Test func theProgressLineFitsOnOneLine() {
        let line = ProgressDisplay.line(
            ProgressSnapshot(
                phase: .measuring,
                elapsedSeconds: 3.04,
                totalSeconds: 11,
                requests: 2998,
                recentThroughput: 1000.4,
                errors: 2,
                queued: 0,
                p99Milliseconds: 1.2346
            )
        )
        #expect(line == "[  3.0s/11.0s] measuring     2998 req  1000 req/s  errors 2  queued 0  p99 1.235 ms")
        #expect(!line.contains("\n"))
    }
}
