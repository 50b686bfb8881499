import Locks
import OddsModel

/// The latest changes the edge applied, in sequence order, so a stream client that
/// reconnects with `Last-Event-ID` gets exactly what it missed. Bounded by count and by
/// bytes: older changes fall off, and a client that asks for one of them gets a reset and a
/// fresh snapshot instead.
///
/// Written by the feed applier's thread, read by the loops' threads; behind one lock, held
/// for an append or for copying out a replay.
final class StreamHistory: Sendable {
    private struct State {
        var epoch: UInt64 = 0
        /// The last sequence number applied; the history holds `first...head`.
        var head: UInt64 = 0
        var items: [StreamItem] = []
        /// Index in `items` of the oldest item (a ring once `items` is full).
        var start = 0
        var bytes = 0
    }

    let maxItems: Int
    let maxBytes: Int
    private let state = Lock(State())

    init(maxItems: Int, maxBytes: Int) {
        self.maxItems = max(1, maxItems)
        self.maxBytes = max(1, maxBytes)
    }

    /// The position of the last change applied.
    var head: FeedPosition {
        state.withLock { FeedPosition(epoch: $0.epoch, sequence: $0.head) }
    }

    /// How many changes are kept, and their bytes.
    var size: (items: Int, bytes: Int) {
        state.withLock { ($0.items.count, $0.bytes) }
    }

    /// Starts again, empty, at `position`: the edge's store was replaced by a snapshot, or
    /// the edge has just started.
    func reset(to position: FeedPosition) {
        state.withLock { state in
            state = State()
            state.epoch = position.epoch
            state.head = position.sequence
        }
    }

    /// Adds changes that follow the head in order (a committed group of batches).
    func append(_ items: [StreamItem]) {
        state.withLock { state in
            for item in items where !item.isRepair {
                if item.sequence <= state.head {
                    continue
                }
                if item.sequence != state.head + 1 {
                    // Not contiguous (cannot happen while the applier checks its batches):
                    // what is kept no longer joins up with what follows, so it goes.
                    state.items = []
                    state.start = 0
                    state.bytes = 0
                }
                state.head = item.sequence
                state.bytes += item.frame.count
                if state.items.count < maxItems {
                    state.items.append(item)
                } else {
                    state.bytes -= state.items[state.start].frame.count
                    state.items[state.start] = item
                    state.start = (state.start + 1) % maxItems
                }
            }
            while state.bytes > maxBytes, state.items.count > 1 {
                // Past the byte bound: drop the oldest by compacting the ring into order.
                let ordered = Array(state.items[state.start...] + state.items[..<state.start])
                var dropped = 0
                var bytes = state.bytes
                while bytes > maxBytes, dropped < ordered.count - 1 {
                    bytes -= ordered[dropped].frame.count
                    dropped += 1
                }
                state.items = Array(ordered[dropped...])
                state.start = 0
                state.bytes = bytes
            }
        }
    }

    /// Whether the changes after `position` can still be replayed from here: it is of this
    /// history's epoch and not older than the oldest change kept. A position ahead of the
    /// head (from an edge further along) counts: what follows arrives live.
    func covers(_ position: FeedPosition) -> Bool {
        state.withLock { state in
            guard position.epoch == state.epoch else { return false }
            if position.sequence >= state.head { return true }
            guard let oldest = state.items.isEmpty ? nil : state.items[state.start] else {
                return false
            }
            return position.sequence + 1 >= oldest.sequence
        }
    }

    /// The next changes after `sequence` that `filter` takes, up to about `maxBytes` of
    /// them; `atHead` when they reach the last change applied. Nil when the history no
    /// longer reaches back to `sequence` (or moved to another epoch).
    func page(after sequence: UInt64, epoch: UInt64, filter: StreamFilter, maxBytes: Int)
        -> (items: [StreamItem], atHead: Bool)?
    {
        state.withLock { state in
            guard epoch == state.epoch else { return nil }
            if sequence >= state.head { return ([], true) }
            let count = state.items.count
            guard count > 0 else { return nil }
            let first = state.items[state.start].sequence
            guard sequence + 1 >= first else { return nil }
            var items: [StreamItem] = []
            var bytes = 0
            var offset = Int(sequence + 1 - first)
            while offset < count, bytes < maxBytes {
                let item = state.items[(state.start + offset) % count]
                if filter.matches(item) {
                    items.append(item)
                    bytes += item.frame.count
                }
                offset += 1
            }
            // Cut at the byte budget, the next page starts after the last item taken.
            return (items, offset == count)
        }
    }
}
