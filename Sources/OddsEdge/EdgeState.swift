import Locks
import OddsModel
import Synchronization
import Telemetry

/// What the edge's threads share about the feed: where the store stands, where the origin
/// stands, when the origin was last heard from, readiness and the last integrity check.
/// Small and read on every request, so behind one lock held for a few loads or stores.
final class EdgeState: Sendable {
    struct Snapshot: Sendable {
        var applied = FeedPosition.empty
        var appliedPublishedAtMicros: Int64 = 0
        var originHead = FeedPosition.empty
        var connected = false
        /// The last frame of any kind from the origin, heartbeats included.
        var lastHeardMicros: Int64 = 0
        var ready = false
        var integrity = IntegrityReport()
    }

    private let state = Lock(Snapshot())
    /// `/readyz?after=N` requests, answered by the update that moves the store past N.
    let waiters: ReadinessWaiters
    /// Copies of the two fields every read needs, so a read takes no lock: the applied
    /// epoch and when the origin was last heard from (microseconds). Written under `state`.
    private let appliedEpoch = Atomic<UInt64>(0)
    private let lastHeard = Atomic<Int64>(0)

    init(waitersGauge: Gauge? = nil) {
        waiters = ReadinessWaiters(gauge: waitersGauge)
    }

    var snapshot: Snapshot {
        state.withLock { $0 }
    }

    /// The applied epoch and the last time the origin was heard from, without the lock.
    /// The two are read one after the other, not as one snapshot.
    var readFreshness: (epoch: UInt64, lastHeardMicros: Int64) {
        (appliedEpoch.load(ordering: .relaxed), lastHeard.load(ordering: .relaxed))
    }

    func update(_ body: (inout Snapshot) -> Void) {
        let updated = state.withLock { snapshot in
            body(&snapshot)
            appliedEpoch.store(snapshot.applied.epoch, ordering: .relaxed)
            lastHeard.store(snapshot.lastHeardMicros, ordering: .relaxed)
            return snapshot.applied
        }
        let satisfied = waiters.satisfied(by: updated)
        guard !satisfied.isEmpty else { return }
        let answer = Readiness.response(snapshot)
        for waiter in satisfied {
            waiter.answer(answer)
        }
    }

    /// Whether the data is stale (the origin silent past `staleAfterMicros`, or never heard
    /// from) and how long ago the origin was last heard from. No lock.
    func freshness(staleAfterMicros: Int64) -> StreamFreshness {
        let heard = lastHeard.load(ordering: .relaxed)
        guard heard > 0 else { return StreamFreshness(isStale: true, ageMilliseconds: -1) }
        let age = max(0, WallClock.micros() - heard)
        return StreamFreshness(isStale: age > staleAfterMicros, ageMilliseconds: age / 1000)
    }

    /// How old the served data may be: the time since the origin last confirmed it.
    func dataAgeMicros(now: Int64) -> Int64 {
        let heard = state.withLock { $0.lastHeardMicros }
        return heard == 0 ? -1 : max(0, now - heard)
    }
}
