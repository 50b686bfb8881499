import Locks
import OddsModel

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

    var snapshot: Snapshot {
        state.withLock { $0 }
    }

    func update(_ body: (inout Snapshot) -> Void) {
        state.withLock(body)
    }

    /// How old the served data may be: the time since the origin last confirmed it.
    func dataAgeMicros(now: Int64) -> Int64 {
        let heard = state.withLock { $0.lastHeardMicros }
        return heard == 0 ? -1 : max(0, now - heard)
    }
}
