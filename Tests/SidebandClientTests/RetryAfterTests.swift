import Testing

@testable import SidebandClient

/// 1994-11-06T08:49:37Z, RFC 9110's example date.
private let exampleDate: Int64 = 784_111_777

@Suite struct RetryAfterTests {
    // MARK: - delay-seconds

    @Test func delaySecondsAreTakenAsIs() {
        #expect(RetryAfter.parse("2", now: 0) == 2)
        #expect(RetryAfter.parse("0", now: 0) == 0)
        #expect(RetryAfter.parse("120", now: exampleDate) == 120)
        #expect(RetryAfter.parse("007", now: 0) == 7)
    }

    @Test func spacesAndTabsAroundTheValueAreIgnored() {
        #expect(RetryAfter.parse("  5\t", now: 0) == 5)
        #expect(RetryAfter.parse(" Sun, 06 Nov 1994 08:49:40 GMT ", now: exampleDate) == 3)
    }

    @Test func hugeDelaysAreCappedAtAnHour() {
        #expect(RetryAfter.parse("3600", now: 0) == 3600)
        #expect(RetryAfter.parse("3601", now: 0) == 3600)
        #expect(RetryAfter.parse("99999999999999999999999999999999", now: 0) == 3600)
    }

    @Test func aMissingOrEmptyValueIsNil() {
        #expect(RetryAfter.parse(nil, now: 0) == nil)
        #expect(RetryAfter.parse("", now: 0) == nil)
        #expect(RetryAfter.parse("   ", now: 0) == nil)
    }

    @Test func signsFractionsAndGarbageAreNil() {
        for value in ["-1", "+2", "1.5", "2s", "2 3", "0x10", "soon", "١٢", "Sun", "GMT", "2,"] {
            #expect(RetryAfter.parse(value, now: 0) == nil, "\(value)")
        }
    }

    // MARK: - HTTP-date

    @Test func anIMFFixdateGivesTheSecondsUntilIt() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: exampleDate - 10) == 10)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:00 GMT", now: exampleDate) == 23)
    }

    @Test func anRFC850DateGivesTheSecondsUntilIt() {
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: exampleDate - 42) == 42)
    }

    @Test func anAsctimeDateGivesTheSecondsUntilIt() {
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: exampleDate - 7) == 7)
        #expect(RetryAfter.parse("Sun Nov 06 08:49:37 1994", now: exampleDate - 7) == 7)
    }

    @Test func namesAndGMTAreMatchedWithoutRegardToCase() {
        #expect(RetryAfter.parse("sun, 06 NOV 1994 08:49:37 gmt", now: exampleDate - 1) == 1)
    }

    @Test func theDayNameIsNotCheckedAgainstTheDate() {
        #expect(RetryAfter.parse("Mon, 06 Nov 1994 08:49:37 GMT", now: exampleDate - 1) == 1)
    }

    @Test func aDateInThePastOrNowMeansRetryNow() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: exampleDate) == 0)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: exampleDate + 3600) == 0)
        #expect(RetryAfter.parse("Thu, 01 Jan 1970 00:00:00 GMT", now: exampleDate) == 0)
    }

    @Test func aDateFarInTheFutureIsCappedAtAnHour() {
        #expect(RetryAfter.parse("Fri, 31 Dec 9999 23:59:59 GMT", now: exampleDate) == 3600)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 09:49:38 GMT", now: exampleDate) == 3600)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 09:49:36 GMT", now: exampleDate) == 3599)
    }

    @Test func aLeapDayAndALeapSecondAreAccepted() {
        // 2000-02-29T00:00:00Z
        #expect(RetryAfter.parse("Tue, 29 Feb 2000 00:00:00 GMT", now: 951_782_400 - 5) == 5)
        #expect(RetryAfter.parse("Sat, 31 Dec 2016 23:59:60 GMT", now: 1_483_228_800 - 1) == 1)
    }

    @Test func impossibleDatesAreNil() {
        for value in [
            "Thu, 29 Feb 2001 00:00:00 GMT",  // not a leap year
            "Mon, 29 Feb 2100 00:00:00 GMT",  // century, not a leap year
            "Thu, 31 Apr 2026 00:00:00 GMT",
            "Thu, 00 Jan 2026 00:00:00 GMT",
            "Thu, 01 Jan 2026 24:00:00 GMT",
            "Thu, 01 Jan 2026 23:60:00 GMT",
            "Thu, 01 Jan 2026 23:59:61 GMT",
            "Thu, 01 Foo 2026 00:00:00 GMT",
        ] {
            #expect(RetryAfter.parse(value, now: 0) == nil, "\(value)")
        }
    }

    @Test func malformedDatesAreNil() {
        for value in [
            "Sun, 06 Nov 1994 08:49:37 UTC",  // only GMT
            "Sun, 06 Nov 1994 08:49:37 +0000",
            "Sun, 06 Nov 1994 08:49:37",  // no zone
            "Sun, 6 Nov 1994 08:49:37 GMT",  // one-digit day
            "Sun, 06 Nov 94 08:49:37 GMT",  // two-digit year in IMF-fixdate
            "Sun,06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
            "Sun, 06 Nov 1994 8:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",  // four-digit year in RFC 850
            "Sun Nov 6 08:49:37 1994",  // asctime needs two characters for the day
            "Sun Nov  6 08:49:37 94",
            "Sunday Nov  6 08:49:37 1994",  // asctime takes the short day name
            "Funday, 06 Nov 1994 08:49:37 GMT",
            "2026-11-29T01:40:29Z",
        ] {
            #expect(RetryAfter.parse(value, now: 0) == nil, "\(value)")
        }
    }

    // MARK: - Calendar

    @Test func rfc850TwoDigitYearsMoreThanFiftyYearsAheadAreInThePreviousCentury() {
        let in2026: Int64 = 1_795_916_429  // 2026-11-29T01:40:29Z
        #expect(RetryAfter.fullYear(twoDigits: 94, now: in2026) == 1994)
        #expect(RetryAfter.fullYear(twoDigits: 76, now: in2026) == 2076)
        #expect(RetryAfter.fullYear(twoDigits: 77, now: in2026) == 1977)
        #expect(RetryAfter.fullYear(twoDigits: 26, now: in2026) == 2026)
        #expect(RetryAfter.fullYear(twoDigits: 0, now: in2026) == 2000)
        #expect(RetryAfter.fullYear(twoDigits: 30, now: exampleDate) == 2030)
        #expect(RetryAfter.fullYear(twoDigits: 44, now: exampleDate) == 2044)
        #expect(RetryAfter.fullYear(twoDigits: 45, now: exampleDate) == 1945)
        #expect(RetryAfter.fullYear(twoDigits: 50, now: exampleDate) == 1950)
    }

    @Test func anRFC850DateInTheNearFutureUsesThisCentury() {
        // 2030-01-01T00:00:00Z, asked in late 2026.
        let in2026: Int64 = 1_795_916_429
        #expect(RetryAfter.parse("Tuesday, 01-Jan-30 00:00:00 GMT", now: 1_893_456_000 - 9) == 9)
        #expect(RetryAfter.parse("Tuesday, 01-Jan-30 00:00:00 GMT", now: in2026) == 3600)
    }

    @Test func daysSinceEpochMatchKnownDates() {
        #expect(RetryAfter.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(RetryAfter.daysSinceEpoch(year: 1969, month: 12, day: 31) == -1)
        #expect(RetryAfter.daysSinceEpoch(year: 2000, month: 2, day: 29) == 951_782_400 / 86_400)
        #expect(RetryAfter.daysSinceEpoch(year: 2100, month: 3, day: 1) == 4_107_542_400 / 86_400)
        #expect(RetryAfter.daysSinceEpoch(year: 1994, month: 11, day: 6) * 86_400 + 31_777 == exampleDate)
    }

    @Test func theYearOfADayIsTheInverseOfDaysSinceEpoch() {
        for (year, month, day) in [
            (1970, 1, 1), (1969, 12, 31), (2000, 2, 29), (2000, 12, 31), (2001, 1, 1), (2100, 3, 1),
        ] {
            let days = RetryAfter.daysSinceEpoch(year: year, month: month, day: day)
            #expect(RetryAfter.year(daysSinceEpoch: days) == year, "\(year)-\(month)-\(day)")
        }
    }
}
