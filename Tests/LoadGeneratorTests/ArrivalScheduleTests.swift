import LoadGenerator
import Testing

/// The open model's schedule as pure arithmetic: due times, what is due at a moment, slices per event loop,
/// warm-up, and the closed model's window phases.
@Suite struct ArrivalScheduleTests {
    static let second: UInt64 = 1_000_000_000

    @Test func requestsAreDueEveryOneOverRateFromTheStart() {
        let window = RunWindow(start: 1_000, warmupNanoseconds: 0, durationNanoseconds: Self.second)
        let schedule = ArrivalSchedule(window: window, rate: 100)
        #expect(schedule.slotCount == 100)
        #expect(schedule.intendedTime(ofSlot: 0) == 1_000)
        #expect(schedule.intendedTime(ofSlot: 1) == 1_000 + 10_000_000)
        #expect(schedule.intendedTime(ofSlot: 99) == 1_000 + 990_000_000)
        #expect(schedule.firstMeasuredSlot == 0)
    }

    @Test func fractionalIntervalsRoundDownAndNeverReachTheEnd() {
        let window = RunWindow(start: 0, warmupNanoseconds: 0, durationNanoseconds: Self.second)
        let schedule = ArrivalSchedule(window: window, rate: 3)
        #expect(schedule.slotCount == 3)
        #expect((0..<3).map { schedule.intendedTime(ofSlot: $0) } == [0, 333_333_333, 666_666_666])

        let slow = ArrivalSchedule(window: window, rate: 0.5)
        #expect(slow.slotCount == 1)
    }

    @Test func whatIsDueAtAMomentMatchesTheDueTimes() {
        let window = RunWindow(start: 5_000, warmupNanoseconds: 0, durationNanoseconds: Self.second)
        for rate in [100.0, 7.3, 333.3, 1234.5] {
            let schedule = ArrivalSchedule(window: window, rate: rate)
            #expect(schedule.slotsDue(at: 4_999) == 0)
            #expect(schedule.slotsDue(at: 5_000) == 1)
            for slot in 1..<schedule.slotCount {
                let due = schedule.intendedTime(ofSlot: slot)
                #expect(schedule.slotsDue(at: due) == slot + 1, "rate \(rate) slot \(slot)")
                if due > schedule.intendedTime(ofSlot: slot - 1) {
                    #expect(schedule.slotsDue(at: due - 1) == slot, "rate \(rate) slot \(slot)")
                }
            }
            #expect(schedule.slotsDue(at: window.end + Self.second) == schedule.slotCount)
        }
    }

    @Test func slicesInterleaveIntoExactlyTheWholeSchedule() {
        let window = RunWindow(start: 42, warmupNanoseconds: Self.second / 2, durationNanoseconds: Self.second)
        let whole = ArrivalSchedule(window: window, rate: 301)
        let wholeTimes = (0..<whole.slotCount).map { whole.intendedTime(ofSlot: $0) }
        for slices in [2, 3, 4] {
            var times: [UInt64] = []
            var measured = 0
            for slice in 0..<slices {
                let part = ArrivalSchedule(window: window, rate: 301, slice: slice, of: slices)
                times += (0..<part.slotCount).map { part.intendedTime(ofSlot: $0) }
                measured += part.unsentMeasuredSlots(sent: 0)
            }
            #expect(times.sorted() == wholeTimes, "\(slices) slices")
            #expect(measured == whole.unsentMeasuredSlots(sent: 0), "\(slices) slices")
        }
    }

    @Test func warmUpSlotsComeFirstAndAreNotCountedAsUnsent() {
        let window = RunWindow(start: 0, warmupNanoseconds: Self.second / 2, durationNanoseconds: Self.second)
        let schedule = ArrivalSchedule(window: window, rate: 100)
        #expect(schedule.slotCount == 150)
        #expect(schedule.firstMeasuredSlot == 50)
        #expect(schedule.intendedTime(ofSlot: 50) == window.warmupEnd)
        #expect(schedule.unsentMeasuredSlots(sent: 0) == 100)
        #expect(schedule.unsentMeasuredSlots(sent: 140) == 10)
        #expect(schedule.unsentMeasuredSlots(sent: 150) == 0)
    }

    @Test func theWindowSplitsTimeIntoPhases() {
        let window = RunWindow(start: 100, warmupNanoseconds: 50, durationNanoseconds: 200)
        #expect(window.phase(at: 99) == .notStarted)
        #expect(window.phase(at: 100) == .warmup)
        #expect(window.phase(at: 149) == .warmup)
        #expect(window.phase(at: 150) == .measuring)
        #expect(window.phase(at: 349) == .measuring)
        #expect(window.phase(at: 350) == .over)
        #expect(!window.isMeasured(149))
        #expect(window.isMeasured(150))
        #expect(!window.isMeasured(350))
    }
}
