import Glibc

/// A value behind a pthread mutex, shared between threads.
///
/// Synchronization's `Mutex` would do, but on Linux it locks with futexes the thread
/// sanitizer cannot see, so every access it guards is reported as a race and the sanitizer
/// becomes useless for the whole suite. pthread mutexes are intercepted by the sanitizer.
/// For small shared state off the hot paths; the hot paths use atomics or loop confinement.
public final class Lock<Value>: @unchecked Sendable {
    // @unchecked: `value` is only read or written while `mutex` is held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; returns what `body` returns. Any
    /// thread; must not be re-entered from `body`.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body(&valueStorage)
    }

    @usableFromInline
    var valueStorage: Value {
        get { value }
        _modify { yield &value }
    }

    @usableFromInline
    func lock() {
        pthread_mutex_lock(mutex)
    }

    @usableFromInline
    func unlock() {
        pthread_mutex_unlock(mutex)
    }
}
