import Glibc

/// Keeps LMDB's memory map in place while this process's transactions use it.
///
/// Growing the map (`mdb_env_set_mapsize`) unmaps the file and maps it again, possibly at
/// another address, so no transaction of the process may be open meanwhile: LMDB leaves that
/// to its caller. Every transaction holds the shared side of this lock for its whole life, and
/// a remap takes the exclusive side.
///
/// The lock prefers writers, so a steady stream of reads on many threads cannot starve a
/// remap. The price is that a thread must never wait for the shared side while it already
/// holds it: a remap waiting in between would deadlock both. So each thread counts its holds
/// (in thread-specific storage, no allocation), and only its outermost hold touches the lock;
/// nested transactions on one thread are therefore safe.
final class MapLock {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private let depthKey: pthread_key_t

    init() {
        lock = UnsafeMutablePointer<pthread_rwlock_t>.allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        defer { pthread_rwlockattr_destroy(&attributes) }
        let preferWriters = Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP)
        precondition(pthread_rwlockattr_setkind_np(&attributes, preferWriters) == 0)
        precondition(pthread_rwlock_init(lock, &attributes) == 0, "pthread_rwlock_init failed")

        var key = pthread_key_t()
        // Failing means the process holds PTHREAD_KEYS_MAX keys: a leak elsewhere, not input.
        precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
        depthKey = key
    }

    deinit {
        pthread_key_delete(depthKey)
        pthread_rwlock_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    /// How many shared holds the calling thread has on this lock.
    var depth: Int {
        Int(bitPattern: pthread_getspecific(depthKey))
    }

    /// Takes the shared side for the calling thread, or counts one more hold if it has it.
    @inline(__always)
    func lockShared() {
        let depth = self.depth
        if depth == 0 {
            precondition(pthread_rwlock_rdlock(lock) == 0, "pthread_rwlock_rdlock failed")
        }
        setDepth(depth + 1)
    }

    /// Drops one shared hold of the calling thread; the last one releases the lock.
    @inline(__always)
    func unlockShared() {
        let depth = self.depth
        precondition(depth > 0, "MapLock.unlockShared without a matching lockShared")
        setDepth(depth - 1)
        if depth == 1 {
            pthread_rwlock_unlock(lock)
        }
    }

    /// Runs `body` holding the exclusive side: no transaction of this process is open while
    /// it runs. The calling thread must hold no shared side (it would wait for itself).
    func withExclusive<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(depth == 0, "MapLock: exclusive side wanted inside a transaction")
        precondition(pthread_rwlock_wrlock(lock) == 0, "pthread_rwlock_wrlock failed")
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }

    @inline(__always)
    private func setDepth(_ depth: Int) {
        // glibc stores the first 32 keys of a thread inline; for a later key it allocates a
        // block once per thread, which fails only when memory is gone.
        precondition(
            pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: depth)) == 0,
            "pthread_setspecific failed")
    }
}
