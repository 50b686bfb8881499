import Locks

/// Lets a warning about something that can repeat many times a second go out at most once an
/// interval; the line that goes out counts the occurrences it stands for, so a slow disk or a
/// slow upstream cannot flood the log, and nothing is hidden. Any thread.
public final class LogThrottle: Sendable {
    private struct State {
        var lastLineAt: UInt64?
        var sinceLine = 0
    }

    public let intervalNanoseconds: UInt64
    private let state = Lock(State())

    public init(intervalNanoseconds: UInt64 = 1_000_000_000) {
        self.intervalNanoseconds = intervalNanoseconds
    }

    /// Counts one occurrence at `now` (monotonic nanoseconds); returns how many occurrences
    /// a line written now stands for, or nil when the last line was too recent.
    public func occurrence(at now: UInt64) -> Int? {
        state.withLock { state in
            state.sinceLine += 1
            if let last = state.lastLineAt, now &- last < intervalNanoseconds {
                return nil
            }
            state.lastLineAt = now
            defer { state.sinceLine = 0 }
            return state.sinceLine
        }
    }
}
