import Locks

/// A count that only goes up: requests served, bytes sent, errors seen.
///
/// Lock-free and sharded by CPU (see `ShardedCells`): increments from different cores do not
/// contend. Any thread may increment or read at any time.
public final class Counter: Sendable {
    private let cells = ShardedCells(cellsPerShard: 1)

    /// A counter at zero. Usually obtained from `MetricsRegistry.counter(_:help:labels:)` so
    /// that it is exported.
    public init() {}

    /// Adds `amount`, which must not be negative: a counter that went down would read as a
    /// process restart to Prometheus. Any thread.
    public func increment(by amount: Int = 1) {
        precondition(amount >= 0, "a counter cannot decrease (increment by \(amount))")
        cells.add(UInt64(amount), at: 0)
    }

    /// The current total. Any thread.
    public var value: Int {
        Int(truncatingIfNeeded: cells.sum(at: 0))
    }
}
