import Synchronization

/// A value that goes up and down: open connections, queue depth, cache size.
///
/// Lock-free; any thread may set, add or read at any time. For a value that is cheaper to read
/// when scraped than to track, see `MetricsRegistry.gauge(_:help:labels:compute:)`.
public final class Gauge: Sendable {
    private let storage = Atomic<Int>(0)

    /// A gauge at zero. Usually obtained from `MetricsRegistry.gauge(_:help:labels:)` so that it
    /// is exported.
    public init() {}

    /// Replaces the value. Any thread.
    public func set(_ value: Int) {
        storage.store(value, ordering: .relaxed)
    }

    /// Adds `delta`, which may be negative. Any thread.
    public func add(_ delta: Int) {
        storage.wrappingAdd(delta, ordering: .relaxed)
    }

    /// The current value. Any thread.
    public var value: Int {
        storage.load(ordering: .relaxed)
    }
}
