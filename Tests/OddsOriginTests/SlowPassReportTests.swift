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
}
