import Synchronization
import Locks

/// A value behind a mutex that closures can capture and share across threads.
public final class Locked<Value: Sendable>: Sendable {
    private let mutex: Lock<Value>

    public init(_ value: Value) {
        mutex = Lock(value)
    }

    public func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
        mutex.withLock { body(&$0) }
    }

    public var value: Value {
        mutex.withLock { $0 }
    }
}
