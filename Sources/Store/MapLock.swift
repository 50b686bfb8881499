import CLMDB
import Glibc
import Locks

/// Keeps the map from being pulled from under a transaction of this process: every
/// transaction holds the shared side; a remap (growing the map, or adopting one grown by
/// another process) and opening a table take the exclusive side.
///
/// The shared side is a `ReaderCountLock`, so a read from any core touches no cache line that
/// the other cores write. Each thread's nesting depth, and the read transaction it parks
/// between reads (`ThreadSlot`), live in one thread-specific slot: one lookup per read.
final class MapLock {
    private let lock = ReaderCountLock()
    private let slotKey: pthread_key_t
    /// Every parked read transaction, so that closing the environment can end them.
    let parkedReads = ParkedReads()

    init() {
        var key = pthread_key_t()
        // Failing means the process holds PTHREAD_KEYS_MAX keys: a leak elsewhere, not input.
        precondition(pthread_key_create(&key, releaseThreadSlot) == 0, "pthread_key_create failed")
        slotKey = key
    }

    deinit {
        pthread_key_delete(slotKey)
    }

    /// The calling thread's slot, made on its first use.
    @inline(__always)
    func threadSlot() -> ThreadSlot {
        if let raw = pthread_getspecific(slotKey) {
            return Unmanaged<ThreadSlot>.fromOpaque(raw).takeUnretainedValue()
        }
        let slot = ThreadSlot(parkedReads: parkedReads)
        // glibc stores the first 32 keys of a thread inline; for a later key it allocates a
        // block once per thread, which fails only when memory is gone.
        precondition(
            pthread_setspecific(slotKey, Unmanaged.passRetained(slot).toOpaque()) == 0,
            "pthread_setspecific failed")
        return slot
    }

    /// How many shared holds the calling thread has on this lock.
    var depth: Int {
        threadSlot().depth
    }

    /// Takes the shared side for the calling thread, or counts one more hold if it has it;
    /// returns the thread's slot.
    @inline(__always)
    @discardableResult
    func lockShared() -> ThreadSlot {
        let slot = threadSlot()
        if slot.depth == 0 {
            slot.shard = lock.lockShared()
        }
        slot.depth += 1
        return slot
    }

    /// Drops one shared hold of the thread of `slot`; the last one releases the lock.
    @inline(__always)
    func unlockShared(_ slot: ThreadSlot) {
        precondition(slot.depth > 0, "MapLock.unlockShared without a matching lockShared")
        slot.depth -= 1
        if slot.depth == 0 {
            lock.unlockShared(slot.shard)
        }
    }

    func unlockShared() {
        unlockShared(threadSlot())
    }

    /// Runs `body` holding the exclusive side: no transaction of this process is open while
    /// it runs (parked read transactions are not open: they hold no snapshot). The calling
    /// thread must hold no shared side (it would wait for itself).
    func withExclusive<Result, Failure: Error>(
        _ body: () throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(depth == 0, "MapLock: exclusive side wanted inside a transaction")
        return try lock.withExclusive(body)
    }
}

/// What one thread keeps for one environment: how deep in reads it is, and the read
/// transaction it parks between reads. Touched by that thread only.
final class ThreadSlot {
    var depth = 0
    var shard = 0
    /// A read transaction reset after the thread's last outermost read: it keeps its reader
    /// slot but holds no snapshot, and `mdb_txn_renew` starts the next read on it without the
    /// reader table's mutex or an allocation.
    var parkedRead: OpaquePointer?
    /// Set when this thread found the parking places full: it does not ask again.
    var declinedParking = false
    let parkedReads: ParkedReads

    init(parkedReads: ParkedReads) {
        self.parkedReads = parkedReads
    }
}

/// The parked read transactions of one environment, across threads. A parked transaction
/// ends when its thread exits, or when the environment closes, whichever comes first.
final class ParkedReads: @unchecked Sendable {
    // @unchecked: the state is behind `state`'s lock.
    private struct State {
        var closed = false
        var transactions: Set<UInt> = []
    }

    private let state = Lock(State())

    /// Records `txn` as parked by some thread. False when `limit` are parked already, or the
    /// environment has closed.
    func add(_ txn: OpaquePointer, limit: Int) -> Bool {
        state.withLock { state in
            guard !state.closed, state.transactions.count < limit else { return false }
            state.transactions.insert(UInt(bitPattern: txn))
            return true
        }
    }

    /// Ends `txn` (its thread is done with it), unless the environment ended it already.
    func end(_ txn: OpaquePointer) {
        state.withLock { state in
            guard state.transactions.remove(UInt(bitPattern: txn)) != nil else { return }
            mdb_txn_abort(txn)
        }
    }

    /// Ends every parked transaction, before the environment closes. Nothing may read then.
    func closeAll() {
        state.withLock { state in
            for raw in state.transactions {
                mdb_txn_abort(OpaquePointer(bitPattern: raw))
            }
            state.transactions = []
            state.closed = true
        }
    }
}

/// Runs when a thread that used an environment exits: ends its parked read transaction and
/// drops its slot.
private func releaseThreadSlot(_ raw: UnsafeMutableRawPointer?) {
    guard let raw else { return }
    let slot = Unmanaged<ThreadSlot>.fromOpaque(raw).takeRetainedValue()
    if let txn = slot.parkedRead {
        slot.parkedReads.end(txn)
    }
}
