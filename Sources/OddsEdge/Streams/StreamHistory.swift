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
    /// What a client resuming after a position gets.
    enum Resume {
        /// The changes after the position that match the filter (possibly none).
        case replay([StreamItem])
        /// The history no longer reaches back there, or the position is of another epoch.
        case gone
    }

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

    /// What a client that has seen everything up to `position` is missing, among the changes
    /// `filter` accepts.
    func resume(after position: FeedPosition, filter: StreamFilter) -> Resume {
        state.withLock { state in
            guard position.epoch == state.epoch else { return .gone }
            if position.sequence >= state.head {
                // Up to date, or ahead of this edge (it came from an edge further along):
                // what follows arrives live.
                return .replay([])
            }
            let count = state.items.count
            guard count > 0 else { return .gone }
            let first = state.items[state.start].sequence
            guard position.sequence + 1 >= first else { return .gone }
            var missed: [StreamItem] = []
            let skip = Int(position.sequence + 1 - first)
            for offset in skip..<count {
                let item = state.items[(state.start + offset) % count]
                if filter.matches(item) {
                    missed.append(item)
                }
            }
            return .replay(missed)
        }
    }
}
