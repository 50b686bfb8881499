import Glibc

/// A value behind a pthread mutex, shared between threads.
///
/// Synchronization's `Mutex` would do, but on Linux it locks with futexes the thread
/// sanitizer cannot see, so every access it guards is reported as a race and the sanitizer
/// becomes useless for the whole suite. pthread mutexes are intercepted by the sanitizer.
/// For small shared state off the hot paths; the hot paths use atomics or loop confinement.
public final class Lock<Value>: @unchecked Sendable {
    // @unchecked: the value behind `storage` is only touched while `mutex` is held.
    @usableFromInline let mutex: UnsafeMutablePointer<pthread_mutex_t>
    @usableFromInline let storage: UnsafeMutablePointer<Value>

    public init(_ value: Value) {
        storage = UnsafeMutablePointer<Value>.allocate(capacity: 1)
        storage.initialize(to: value)
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    /// Runs `body` with the value while holding the lock; returns what `body` returns. Any
    /// thread; must not be re-entered from `body`.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&storage.pointee)
    }
}
