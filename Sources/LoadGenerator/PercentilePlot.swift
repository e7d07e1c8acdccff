import Foundation

/// One curve of a latency-percentile plot.
public struct PlotSeries: Sendable, Equatable {
    public var label: String
    /// A line under the label in the legend (model, rate, requests).
    public var detail: String
    /// `(percentile 0...100, latency in ms)`, ascending percentiles.
    public var points: [[Double]]

    public init(label: String, detail: String = "", points: [[Double]]) {
        self.label = label
        self.detail = detail
        self.points = points
    }

    /// The curve of a saved result; `fallbackLabel` (e.g. the file name) when the run had no `--label`.
    public init(result: BenchResult, fallbackLabel: String) {
        var detail = "\(result.model)"
        if let rate = result.rate { detail += " \(BenchResult.number(rate)) req/s" }
        detail += ", \(result.connections) conn, \(result.requests) requests"
        self.init(label: result.label ?? fallbackLabel, detail: detail, points: result.percentiles)
    }
}

/// A self-contained HTML page with the latency-by-percentile curves of one or more runs, drawn as inline
/// SVG: no script, no stylesheet or font link, no image, so it opens offline and can be attached anywhere.
///
/// The x axis is HdrHistogram's "nines" scale: a percentile `p` sits at `log10(1 / (1 - p/100))`, so 0%,
/// 90%, 99%, 99.9%, 99.99% and 99.999% are evenly spaced and the tail gets the room it deserves; points
/// beyond 99.999% (the maximum) are drawn at the right edge. The y axis is linear milliseconds from 0.
public enum PercentilePlot {
    /// Colours that stay apart for the first runs and on white; cycled after that.
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    /// The right edge of the x axis, in nines (99.999%).
    static let maximumNines = 5.0

    static let width = 960.0
    static let height = 560.0
    static let left = 80.0
    static let right = 30.0
    static let top = 30.0
    static let bottom = 70.0

    public static func html(title: String, series: [PlotSeries]) -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>\(Self.escaped(title))</title>
            <style>
            body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
            table { border-collapse: collapse; margin-top: 16px; }
            th, td { padding: 4px 10px; text-align: right; border-bottom: 1px solid #ddd; }
            th:first-child, td:first-child { text-align: left; }
            </style>
            </head>
            <body>
            <h1>\(Self.escaped(title))</h1>

            """
        page += Self.svg(series: series)
        page += "\n" + Self.table(series: series)
        page += "\n</body>\n</html>\n"
        return page
    }

    /// Writes ``html(title:series:)`` to `path`, replacing the file.
    public static func write(title: String, series: [PlotSeries], to path: String) throws {
        try Self.html(title: title, series: series).write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Where percentile `percentile` (0...100) sits on the x axis, in nines (0 for 0%, 2 for 99%).
    public static func nines(_ percentile: Double) -> Double {
        let fraction = min(max(percentile, 0), 100) / 100
        guard fraction < 1 else { return Self.maximumNines }
        return min(Self.maximumNines, log10(1 / (1 - fraction)))
    }

    // MARK: - SVG

    static func svg(series: [PlotSeries]) -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let plotHeight = Self.height - Self.top - Self.bottom
        let highest = series.flatMap { $0.points.compactMap { $0.count == 2 ? $0[1] : nil } }.max() ?? 0
        let yMax = Self.niceCeiling(highest * 1.05)
        func x(_ percentile: Double) -> Double { Self.left + Self.nines(percentile) / Self.maximumNines * plotWidth }
        func y(_ value: Double) -> Double { Self.top + plotHeight - min(value, yMax) / yMax * plotHeight }

        var svg = #"<svg width="\#(Int(Self.width))" height="\#(Int(Self.height))" "#
            + #"viewBox="0 0 \#(Int(Self.width)) \#(Int(Self.height))" role="img" "#
            + #"aria-label="latency by percentile" font-size="13" font-family="system-ui, sans-serif">"# + "\n"
        svg += #"<rect x="0" y="0" width="\#(Int(Self.width))" height="\#(Int(Self.height))" fill="white"/>"# + "\n"

        // Vertical grid: one line per nine.
        for nine in 0...Int(Self.maximumNines) {
            let position = Self.left + Double(nine) / Self.maximumNines * plotWidth
            svg += Self.line(position, Self.top, position, Self.top + plotHeight, stroke: "#e5e5e5")
            let label = Self.percentLabel(nine: nine)
            svg += Self.text(label, x: position, y: Self.top + plotHeight + 20, anchor: "middle")
        }
        // Horizontal grid: five steps of the rounded maximum.
        for step in 0...5 {
            let value = yMax * Double(step) / 5
            let position = y(value)
            svg += Self.line(Self.left, position, Self.left + plotWidth, position, stroke: "#e5e5e5")
            svg += Self.text(Self.format(value), x: Self.left - 8, y: position + 4, anchor: "end")
        }
        svg += Self.line(Self.left, Self.top + plotHeight, Self.left + plotWidth, Self.top + plotHeight, stroke: "#444")
        svg += Self.line(Self.left, Self.top, Self.left, Self.top + plotHeight, stroke: "#444")
        svg += Self.text("percentile", x: Self.left + plotWidth / 2, y: Self.height - 22, anchor: "middle")
        svg += #"<text x="20" y="\#(Self.format(Self.top + plotHeight / 2))" text-anchor="middle" "#
            + #"transform="rotate(-90 20 \#(Self.format(Self.top + plotHeight / 2)))">latency (ms)</text>"# + "\n"

        for (index, curve) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let points = curve.points.filter { $0.count == 2 }
                .map { "\(Self.format(x($0[0]))),\(Self.format(y($0[1])))" }
                .joined(separator: " ")
            svg += #"<polyline fill="none" stroke="\#(colour)" stroke-width="2" points="\#(points)"/>"# + "\n"
            // Legend, top left inside the plot.
            let legendY = Self.top + 18 + Double(index) * 36
            svg += Self.line(Self.left + 14, legendY - 4, Self.left + 38, legendY - 4, stroke: colour, width: 3)
            svg += Self.text(curve.label, x: Self.left + 46, y: legendY, anchor: "start", weight: "600")
            if !curve.detail.isEmpty {
                svg += Self.text(curve.detail, x: Self.left + 46, y: legendY + 15, anchor: "start", fill: "#666")
            }
        }
        svg += "</svg>"
        return svg
    }

    /// A table of the key percentiles read off each curve: the value of the first point at or past each level.
    static func table(series: [PlotSeries]) -> String {
        let levels: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("max", 100)]
        var html = "<table>\n<tr><th>run</th>" + levels.map { "<th>\($0.0) ms</th>" }.joined() + "</tr>\n"
        for curve in series {
            html += "<tr><td>\(Self.escaped(curve.label))</td>"
            for (_, level) in levels {
                let value = curve.points.first { $0.count == 2 && $0[0] >= level }?[1] ?? curve.points.last?.last
                html += "<td>\(value.map { String(format: "%.3f", $0) } ?? "–")</td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>"
    }

    // MARK: - Pieces

    static func percentLabel(nine: Int) -> String {
        switch nine {
        case 0: "0%"
        case 1: "90%"
        case 2: "99%"
        default: "99." + String(repeating: "9", count: nine - 2) + "%"
        }
    }

    static func line(
        _ x1: Double,
        _ y1: Double,
        _ x2: Double,
        _ y2: Double,
        stroke: String,
        width: Double = 1
    ) -> String {
        #"<line x1="\#(Self.format(x1))" y1="\#(Self.format(y1))" x2="\#(Self.format(x2))" y2="\#(Self.format(y2))" "#
            + #"stroke="\#(stroke)" stroke-width="\#(Self.format(width))"/>"# + "\n"
    }

    static func text(
        _ content: String,
        x: Double,
        y: Double,
        anchor: String,
        weight: String = "400",
        fill: String = "#222"
    ) -> String {
        #"<text x="\#(Self.format(x))" y="\#(Self.format(y))" text-anchor="\#(anchor)" font-weight="\#(weight)" "#
            + #"fill="\#(fill)">\#(Self.escaped(content))</text>"# + "\n"
    }

    /// The smallest 1, 2 or 5 times a power of ten at or above `value` (1 when there is nothing).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 5.0, 10.0] where step * magnitude >= value {
            return step * magnitude
        }
        return 10 * magnitude
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
