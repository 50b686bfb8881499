import Testing

@testable import OddsOrigin

@Suite struct SlowPassReportTests {
    private let millisecond: UInt64 = 1_000_000

    @Test func aPassIsSlowWhenItOrItsOldestBetTookOverTheThreshold() {
        let report = SlowPassReport(thresholdNanoseconds: 50 * millisecond)
        var timing = PassTiming()
        timing.decideNanoseconds = 10 * millisecond
        timing.commitNanoseconds = 30 * millisecond
        timing.answerNanoseconds = 10 * millisecond
        #expect(!report.isSlow(timing))
        timing.answerNanoseconds += 1
        #expect(report.isSlow(timing))

        var waited = PassTiming()
        waited.commitNanoseconds = 2 * millisecond
        waited.oldestBetWaitNanoseconds = 51 * millisecond
        #expect(report.isSlow(waited))
        // Time between passes alone is waiting for work, not slowness.
        var idle = PassTiming()
        idle.sinceLastPassNanoseconds = 900 * millisecond
        idle.housekeepingNanoseconds = 60 * millisecond
        #expect(!report.isSlow(idle))
    }

    @Test func atMostOneLineASecondCountingTheSlowPassesItStandsFor() {
        var report = SlowPassReport(intervalNanoseconds: 1_000 * millisecond)
        let start: UInt64 = 5_000 * millisecond
        #expect(report.slowPass(at: start) == 1)
        #expect(report.slowPass(at: start + 100 * millisecond) == nil)
        #expect(report.slowPass(at: start + 999 * millisecond) == nil)
        // The line a second after the first stands for the two held back and itself.
        #expect(report.slowPass(at: start + 1_000 * millisecond) == 3)
        #expect(report.slowPass(at: start + 1_500 * millisecond) == nil)
        #expect(report.slowPass(at: start + 3_000 * millisecond) == 2)
    }
}
