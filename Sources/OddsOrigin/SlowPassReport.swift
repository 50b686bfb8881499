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

/// Decides which slow passes get a warning line: a pass is slow when it took, or its oldest
/// bet waited, longer than `thresholdNanoseconds`. At most one line a second, which counts
/// the slow passes since the line before, so a slow disk cannot flood the log. Sequencer
/// thread only.
struct SlowPassReport {
    let thresholdNanoseconds: UInt64
    let intervalNanoseconds: UInt64
    private var lastLineAt: UInt64?
    private var slowSinceLine = 0

    init(thresholdNanoseconds: UInt64 = 50_000_000, intervalNanoseconds: UInt64 = 1_000_000_000) {
        self.thresholdNanoseconds = thresholdNanoseconds
        self.intervalNanoseconds = intervalNanoseconds
    }

    func isSlow(_ timing: PassTiming) -> Bool {
        timing.passNanoseconds > thresholdNanoseconds
            || timing.oldestBetWaitNanoseconds > thresholdNanoseconds
    }

    /// Counts a slow pass at `now`; returns how many slow passes the line to write now
    /// stands for, or nil when no line is due yet.
    mutating func slowPass(at now: UInt64) -> Int? {
        slowSinceLine += 1
        if let last = lastLineAt, now &- last < intervalNanoseconds {
            return nil
        }
        lastLineAt = now
        defer { slowSinceLine = 0 }
        return slowSinceLine
    }
}
