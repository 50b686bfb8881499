import Synchronization

/// A count that only goes up: requests served, bytes sent, errors seen.
///
/// Lock-free; any thread may increment or read at any time.
public final class Counter: Sendable {
    private let storage = Atomic<Int>(0)

    /// A counter at zero. Usually obtained from `MetricsRegistry.counter(_:help:labels:)` so
    /// that it is exported.
    public init() {}

    /// Adds `amount`, which must not be negative: a counter that went down would read as a
    /// process restart to Prometheus. Any thread.
    public func increment(by amount: Int = 1) {
        precondition(amount >= 0, "a counter cannot decrease (increment by \(amount))")
        storage.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current total. Any thread.
    public var value: Int {
        storage.load(ordering: .relaxed)
    }
}
