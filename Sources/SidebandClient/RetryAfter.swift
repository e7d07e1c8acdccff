/// Reading the `Retry-After` header of a provider's 429 (RFC 9110 §10.2.3): either delay-seconds or an
/// HTTP-date, turned into whole seconds from now.
///
/// Written by hand (no Foundation date formatters): the grammar is small and fixed, and the gateway must
/// not depend on the process locale or time zone. Month names, day names and `GMT` are matched without
/// regard to case (RFC 9110 says they are case-sensitive; accepting `gmt` costs nothing and honours a
/// sloppy provider's wish instead of falling back to 1 second). The day name is checked to be a day name
/// but not against the date, as RFC 9110 §5.6.7 lets recipients ignore it.
public enum RetryAfter {
    /// The longest wait we honour: 3600 seconds. A provider (or whoever answers in its name) saying
    /// `Retry-After: 99999999` would otherwise shut the plugin instance, and so every request it covers,
    /// for years; an hour covers any realistic rate-limit window and bounds the damage of a bad answer.
    public static let maximumSeconds = 3600

    /// Seconds to wait, from the `Retry-After` value and the current wall-clock time.
    ///
    /// - `"2"` (delay-seconds, RFC 9110: one or more digits, nothing else) → `2`; any number of digits is
    ///   accepted and capped at ``maximumSeconds``.
    /// - An HTTP-date in any of the three forms of RFC 9110 §5.6.7 → the seconds from `now` to it, capped
    ///   at ``maximumSeconds``; a date at or before `now` gives `0` ("retry now"), which the circuit
    ///   breaker turns into its 1-second minimum.
    ///   - IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`,
    ///   - obsolete RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT` (a two-digit year more than 50 years in the
    ///     future means the most recent past year with those digits, as §5.6.7 requires),
    ///   - obsolete asctime `Sun Nov  6 08:49:37 1994`.
    /// - `nil` (no header), an empty value, a negative or fractional number, a malformed or impossible
    ///   date (31 April, hour 24) → `nil`; the breaker then opens for 1 second.
    ///
    /// Spaces and tabs around the value are ignored.
    ///
    /// - Parameter now: wall-clock seconds since 1970-01-01T00:00:00Z (truncated: HTTP-dates have whole
    ///   seconds, so the difference is then rounded up).
    public static func parse(_ value: String?, now: Int64) -> Int? {
        guard let value else { return nil }
        var bytes = Array(value.utf8)[...]
        while let first = bytes.first, first == .space || first == .tab { bytes.removeFirst() }
        while let last = bytes.last, last == .space || last == .tab { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }

        if bytes.allSatisfy(\.isASCIIDigit) {
            var seconds = 0
            for digit in bytes {
                seconds = seconds * 10 + Int(digit - .zero)
                if seconds >= Self.maximumSeconds { return Self.maximumSeconds }
            }
            return seconds
        }
        guard let date = Self.parseHTTPDate(bytes, now: now) else { return nil }
        guard date > now else { return 0 }
        return Int(min(date - now, Int64(Self.maximumSeconds)))
    }

    /// The HTTP-date in `bytes` as seconds since 1970 (UTC), or `nil`. `now` only serves to place an
    /// RFC 850 two-digit year.
    static func parseHTTPDate(_ bytes: ArraySlice<UInt8>, now: Int64) -> Int64? {
        var scanner = DateScanner(bytes: bytes)
        let dayName = scanner.letters()
        let day: Int
        let month: Int
        let year: Int
        let time: Int
        if scanner.take(.comma) {
            // IMF-fixdate or RFC 850: `, ` then `DD MON YYYY` or `DD-MON-YY`, then ` HH:MM:SS GMT`.
            guard Self.isDayName(dayName, long: false) || Self.isDayName(dayName, long: true),
                scanner.take(.space), let dd = scanner.digits(2)
            else { return nil }
            day = dd
            if scanner.take(.space) {
                guard let mon = Self.month(scanner.letters()), scanner.take(.space), let yyyy = scanner.digits(4)
                else { return nil }
                month = mon
                year = yyyy
            } else if scanner.take(.dash) {
                guard let mon = Self.month(scanner.letters()), scanner.take(.dash), let yy = scanner.digits(2)
                else { return nil }
                month = mon
                year = Self.fullYear(twoDigits: yy, now: now)
            } else {
                return nil
            }
            guard scanner.take(.space), let hms = scanner.timeOfDay(), scanner.take(.space),
                Self.equalsIgnoringCase(scanner.letters(), "gmt")
            else { return nil }
            time = hms
        } else {
            // asctime: `Sun Nov  6 08:49:37 1994` (day as two digits or a space and one digit).
            guard Self.isDayName(dayName, long: false), scanner.take(.space),
                let mon = Self.month(scanner.letters()), scanner.take(.space)
            else { return nil }
            month = mon
            if scanner.take(.space) {
                guard let d = scanner.digits(1) else { return nil }
                day = d
            } else {
                guard let dd = scanner.digits(2) else { return nil }
                day = dd
            }
            guard scanner.take(.space), let hms = scanner.timeOfDay(), scanner.take(.space),
                let yyyy = scanner.digits(4)
            else { return nil }
            time = hms
            year = yyyy
        }
        guard scanner.isAtEnd, day >= 1, day <= Self.daysIn(month: month, year: year) else { return nil }
        return Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + Int64(time)
    }

    // MARK: - Names

    private static let shortDayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    private static let longDayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    private static let monthNames = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]

    private static func isDayName(_ letters: ArraySlice<UInt8>, long: Bool) -> Bool {
        (long ? Self.longDayNames : Self.shortDayNames).contains { Self.equalsIgnoringCase(letters, $0) }
    }

    /// 1 for `Jan` ... 12 for `Dec`.
    private static func month(_ letters: ArraySlice<UInt8>) -> Int? {
        Self.monthNames.firstIndex { Self.equalsIgnoringCase(letters, $0) }.map { $0 + 1 }
    }

    /// ASCII comparison of `letters` with the lower-case `name`.
    private static func equalsIgnoringCase(_ letters: ArraySlice<UInt8>, _ name: String) -> Bool {
        letters.count == name.utf8.count && zip(letters, name.utf8).allSatisfy { $0 | 0x20 == $1 }
    }

    // MARK: - Calendar (proleptic Gregorian, UTC)

    /// RFC 9110 §5.6.7: the year ending in `twoDigits` that is at most 50 years after `now`'s year, and
    /// otherwise the most recent past one (in 2026: `76` → 2076, `77` → 1977; in 1994: `30` → 2030).
    static func fullYear(twoDigits: Int, now: Int64) -> Int {
        let currentYear = Self.year(daysSinceEpoch: now >= 0 ? now / 86_400 : (now - 86_399) / 86_400)
        let candidate = currentYear - currentYear % 100 + twoDigits
        if candidate > currentYear + 50 { return candidate - 100 }
        if candidate <= currentYear - 50 { return candidate + 100 }
        return candidate
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: Self.isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to `year-month-day`, counting in 400-year eras of 146097 days with years
    /// starting in March, so that the leap day is the last day of its year.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let marchYear = Int64(month <= 2 ? year - 1 : year)
        let era = (marchYear >= 0 ? marchYear : marchYear - 399) / 400
        let yearOfEra = marchYear - era * 400
        let monthFromMarch = Int64((month + 9) % 12)
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar year containing the day `days` after 1970-01-01 (the inverse of `daysSinceEpoch`).
    static func year(daysSinceEpoch days: Int64) -> Int {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        // Months from March: 0...9 are March to December, 10 and 11 are January and February of the next year.
        return Int(yearOfEra + era * 400 + (monthFromMarch >= 10 ? 1 : 0))
    }
}

/// A cursor over the bytes of an HTTP-date.
private struct DateScanner {
    var bytes: ArraySlice<UInt8>

    var isAtEnd: Bool { self.bytes.isEmpty }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard self.bytes.first == byte else { return false }
        self.bytes.removeFirst()
        return true
    }

    /// Consumes and returns the ASCII letters that come next (possibly none).
    mutating func letters() -> ArraySlice<UInt8> {
        let end = self.bytes.firstIndex { !$0.isASCIILetter } ?? self.bytes.endIndex
        defer { self.bytes = self.bytes[end...] }
        return self.bytes[..<end]
    }

    /// Consumes exactly `count` digits and returns their value, or consumes nothing and returns `nil`.
    mutating func digits(_ count: Int) -> Int? {
        let prefix = self.bytes.prefix(count)
        guard prefix.count == count, prefix.allSatisfy(\.isASCIIDigit) else { return nil }
        self.bytes.removeFirst(count)
        return prefix.reduce(0) { $0 * 10 + Int($1 - .zero) }
    }

    /// `HH:MM:SS` as seconds since midnight; a leap second (`:60`) is accepted as RFC 9110 allows.
    mutating func timeOfDay() -> Int? {
        guard let hour = self.digits(2), hour <= 23, self.take(.colon),
            let minute = self.digits(2), minute <= 59, self.take(.colon),
            let second = self.digits(2), second <= 60
        else { return nil }
        return hour * 3600 + minute * 60 + second
    }
}

extension UInt8 {
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let comma = UInt8(ascii: ",")
    fileprivate static let dash = UInt8(ascii: "-")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let zero = UInt8(ascii: "0")

    fileprivate var isASCIIDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }
    fileprivate var isASCIILetter: Bool { (self | 0x20) >= UInt8(ascii: "a") && (self | 0x20) <= UInt8(ascii: "z") }
}
