/// Durations as `bench` options take them: `10s`, `500ms`, `2m`, `1h`, `1.5s`, or a bare number of
/// seconds (`10`, `0.25`).
public enum DurationText {
    /// The duration, or nil when the text is not a non-negative finite number with one of the units
    /// `ms`, `s`, `m`, `h` (or none, meaning seconds). Surrounding spaces are ignored; units are
    /// lower-case only (`1M` is refused rather than guessed to be a minute or a month).
    public static func parse(_ text: String) -> Duration? {
        var number = Substring(text.trimmingSpaces)
        let nanosecondsPerUnit: Double
        if number.hasSuffix("ms") {
            number = number.dropLast(2)
            nanosecondsPerUnit = 1e6
        } else if number.hasSuffix("s") {
            number = number.dropLast()
            nanosecondsPerUnit = 1e9
        } else if number.hasSuffix("m") {
            number = number.dropLast()
            nanosecondsPerUnit = 60e9
        } else if number.hasSuffix("h") {
            number = number.dropLast()
            nanosecondsPerUnit = 3600e9
        } else {
            nanosecondsPerUnit = 1e9
        }
        // Digits and at most one dot: Double(_:) alone would also take "nan", "inf", "1e3" and "-1".
        guard !number.isEmpty, number.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }),
            number.utf8.filter({ $0 == 46 }).count <= 1, number != ".", let value = Double(number)
        else { return nil }
        let nanoseconds = (value * nanosecondsPerUnit).rounded()
        // Beyond a year is certainly a typo, and keeps the arithmetic far from overflow.
        guard nanoseconds <= 366 * 86_400e9 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// A short form for reports: `500ms`, `10s`, `1.5s`, `2m`, `0s`.
    public static func format(_ duration: Duration) -> String {
        let nanoseconds = duration.wholeNanoseconds
        if nanoseconds == 0 { return "0s" }
        if nanoseconds % 60_000_000_000 == 0 { return "\(nanoseconds / 60_000_000_000)m" }
        if nanoseconds % 1_000_000_000 == 0 { return "\(nanoseconds / 1_000_000_000)s" }
        if nanoseconds < 1_000_000_000 && nanoseconds % 1_000_000 == 0 { return "\(nanoseconds / 1_000_000)ms" }
        return "\(Self.trimmed(Double(nanoseconds) / 1e9))s"
    }

    /// Up to three decimals, trailing zeros dropped (`1.5`, `0.001`, `2`).
    static func trimmed(_ value: Double) -> String {
        let thousandths = Int64((value * 1000).rounded())
        let whole = thousandths / 1000
        var fraction = thousandths % 1000
        if fraction == 0 { return "\(whole)" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (no Foundation needed).
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = self.firstIndex(where: { !isSpace($0) }),
            let last = self.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return self[first...last]
    }
}
