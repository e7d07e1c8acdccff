/// The time line of one run, in monotonic nanoseconds (`NIODeadline.uptimeNanoseconds` in the runner):
/// `[start, warmupEnd)` is warm-up, `[warmupEnd, end)` the measured period.
public struct RunWindow: Sendable, Equatable {
    /// Where a moment falls.
    public enum Phase: Sendable, Equatable {
        /// Before `start`: connections are being opened.
        case notStarted
        /// Sent and answered, not recorded.
        case warmup
        /// Recorded.
        case measuring
        /// No new request is sent; those in flight finish (bounded by the timeout).
        case over
    }

    public let start: UInt64
    public let warmupEnd: UInt64
    public let end: UInt64

    /// - Parameters:
    ///   - start: the first request's due time.
    ///   - warmupNanoseconds: length of the warm-up (0: none).
    ///   - durationNanoseconds: length of the measured period.
    public init(start: UInt64, warmupNanoseconds: UInt64, durationNanoseconds: UInt64) {
        self.start = start
        self.warmupEnd = start + warmupNanoseconds
        self.end = self.warmupEnd + durationNanoseconds
    }

    public func phase(at time: UInt64) -> Phase {
        if time < self.start { return .notStarted }
        if time < self.warmupEnd { return .warmup }
        if time < self.end { return .measuring }
        return .over
    }

    /// Whether a request due (open model) or sent (closed model) at `time` is recorded.
    public func isMeasured(_ time: UInt64) -> Bool {
        time >= self.warmupEnd && time < self.end
    }
}

/// When each request of the open model is due: request `i` (counting from 0 over the whole run) at
/// `start + floor(i * 1e9 / rate)` nanoseconds, for every `i` due before the window's end. Pure arithmetic,
/// no clock: the runner asks it and sets its timers.
///
/// Each event loop of the runner takes an interleaved slice: slice `k` of `n` owns the requests
/// `i = k, k + n, k + 2n, ...`, numbered locally as slots `0, 1, 2, ...`. The slices together are exactly the
/// whole schedule, so the aggregate rate is `rate` whatever the number of loops, and each loop's own
/// requests stay evenly spaced.
public struct ArrivalSchedule: Sendable, Equatable {
    public let window: RunWindow
    /// Requests per second over all slices.
    public let rate: Double
    /// This slice's index, `0..<slices`.
    public let slice: Int
    /// How many slices share the schedule.
    public let slices: Int
    /// How many requests of this slice are due before `window.end`.
    public let slotCount: Int
    /// The first slot due at or after `window.warmupEnd`: slots before it are warm-up.
    public let firstMeasuredSlot: Int

    /// - Precondition: `rate > 0`, `0 <= slice < slices`.
    public init(window: RunWindow, rate: Double, slice: Int = 0, of slices: Int = 1) {
        precondition(rate > 0 && rate.isFinite, "the open model needs a positive rate")
        precondition(slices >= 1 && (0..<slices).contains(slice), "slice out of range")
        self.window = window
        self.rate = rate
        self.slice = slice
        self.slices = slices
        let total = Self.firstIndex(atOrAfter: window.end - window.start, rate: rate)
        let warmup = Self.firstIndex(atOrAfter: window.warmupEnd - window.start, rate: rate)
        self.slotCount = Self.slotsBelow(globalIndex: total, slice: slice, slices: slices)
        self.firstMeasuredSlot = Self.slotsBelow(globalIndex: warmup, slice: slice, slices: slices)
    }

    /// When slot `slot` of this slice is due.
    public func intendedTime(ofSlot slot: Int) -> UInt64 {
        self.window.start + Self.offset(ofIndex: self.slice + self.slices * slot, rate: self.rate)
    }

    /// How many of this slice's slots are due at `now` (due time `<= now`), at most ``slotCount``.
    public func slotsDue(at now: UInt64) -> Int {
        guard now >= self.window.start else { return 0 }
        let due = Self.firstIndex(atOrAfter: now - self.window.start + 1, rate: self.rate)
        return min(self.slotCount, Self.slotsBelow(globalIndex: due, slice: self.slice, slices: self.slices))
    }

    /// Measured requests that never left because no connection was free before the end: slots from
    /// `sent` (or from the first measured one) up to ``slotCount``.
    public func unsentMeasuredSlots(sent: Int) -> Int {
        max(0, self.slotCount - max(sent, self.firstMeasuredSlot))
    }

    // MARK: - Arithmetic over global indices

    /// Nanoseconds after `start` at which global request `index` is due (rounded down, so never late).
    static func offset(ofIndex index: Int, rate: Double) -> UInt64 {
        UInt64((Double(index) * 1e9 / rate).rounded(.down))
    }

    /// The smallest global index whose offset is `>= nanoseconds`: the number of requests due strictly
    /// before that offset. Estimated in floating point, then corrected against ``offset(ofIndex:rate:)``
    /// itself, so both always agree even where rounding differs.
    static func firstIndex(atOrAfter nanoseconds: UInt64, rate: Double) -> Int {
        var index = Int((Double(nanoseconds) * rate / 1e9).rounded(.down))
        while index > 0 && Self.offset(ofIndex: index - 1, rate: rate) >= nanoseconds { index -= 1 }
        while Self.offset(ofIndex: index, rate: rate) < nanoseconds { index += 1 }
        return index
    }

    /// How many of slice `slice`'s global indices (`slice, slice + slices, ...`) are below `globalIndex`.
    static func slotsBelow(globalIndex: Int, slice: Int, slices: Int) -> Int {
        globalIndex > slice ? (globalIndex - slice + slices - 1) / slices : 0
    }
}
