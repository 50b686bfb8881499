import Glibc
import Synchronization

/// A readers-writer lock whose shared side costs one uncontended atomic add on the reader's
/// own CPU shard: for state that is read on every request from every core and changed very
/// rarely (the mapping of a store). A pthread rwlock would bounce its one lock word between
/// the cores on every read.
///
/// Readers count themselves in per-CPU cells (`ShardedCells`). A writer raises a flag, then
/// waits for the readers' sum to reach zero; a reader that sees the flag steps back and waits
/// for the writer to finish. The writer side polls, so it suits changes that are rare and may
/// wait a little; writers are served before new readers.
///
/// Not reentrant on either side; callers count nesting themselves.
public final class ReaderCountLock: @unchecked Sendable {
    // @unchecked: all shared state is atomic, or behind `writers`.

    private let readers = ShardedCells(cellsPerShard: 1)
    private let writerWaiting = Atomic<Bool>(false)
    /// Held by the writer for the whole exclusive side; readers that stepped back wait on it.
    private let writers = Lock(())
    /// How long a writer sleeps between looks at the readers' count, in nanoseconds.
    private static let writerPollNanoseconds = 20_000

    public init() {}

    /// Takes the shared side; returns the shard to give back to `unlockShared`. Any thread.
    @inline(__always)
    public func lockShared() -> Int {
        while true {
            let shard = ShardedCells.currentShard()
            readers.addOrdered(1, shard: shard, at: 0)
            if !writerWaiting.load(ordering: .sequentiallyConsistent) {
                return shard
            }
            readers.addOrdered(UInt64.max, shard: shard, at: 0)
            writers.withLock { _ in }
        }
    }

    /// Gives back the shared side taken by `lockShared`, which returned `shard`.
    @inline(__always)
    public func unlockShared(_ shard: Int) {
        readers.addOrdered(UInt64.max, shard: shard, at: 0)
    }

    /// Runs `body` with no reader inside the shared side; returns what `body` returns. The
    /// calling thread must not hold the shared side (it would wait for itself).
    public func withExclusive<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(writers.mutex)
        defer { pthread_mutex_unlock(writers.mutex) }
        writerWaiting.store(true, ordering: .sequentiallyConsistent)
        defer { writerWaiting.store(false, ordering: .sequentiallyConsistent) }
        while readers.orderedSum(at: 0) != 0 {
            var pause = timespec(tv_sec: 0, tv_nsec: Self.writerPollNanoseconds)
            nanosleep(&pause, nil)
        }
        return try body()
    }
}
