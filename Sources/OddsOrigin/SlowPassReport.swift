import Telemetry

/// Where one pass of the sequencer spent its time, and how long its oldest bet had waited for
/// it: what an operator needs when answers are slow, since every bet goes through this one
/// thread.
struct PassTiming {
    /// From the end of the pass before to the start of this one: waiting for work, then
    /// heartbeats and retention.
    var sinceLastPassNanoseconds: UInt64 = 0
    /// Heartbeats and retention after the pass before.
    var housekeepingNanoseconds: UInt64 = 0
    /// From the oldest bet's arrival on its loop thread to the start of this pass; 0 without
    /// bets.
    var oldestBetWaitNanoseconds: UInt64 = 0
    var decideNanoseconds: UInt64 = 0
    var commitNanoseconds: UInt64 = 0
    var answerNanoseconds: UInt64 = 0
    var jobs = 0
    var bets = 0
    var changes = 0

    var passNanoseconds: UInt64 { decideNanoseconds + commitNanoseconds + answerNanoseconds }
}

/// Which passes are slow: those that took, or whose oldest bet waited, longer than
/// `thresholdNanoseconds`. Their warning lines go through a `LogThrottle`.
struct SlowPassReport {
    let thresholdNanoseconds: UInt64
    let throttle: LogThrottle

    init(thresholdNanoseconds: UInt64 = 50_000_000, throttle: LogThrottle = LogThrottle()) {
        self.thresholdNanoseconds = thresholdNanoseconds
        self.throttle = throttle
    }

    func isSlow(_ timing: PassTiming) -> Bool {
        timing.passNanoseconds > thresholdNanoseconds
            || timing.oldestBetWaitNanoseconds > thresholdNanoseconds
    }
}
