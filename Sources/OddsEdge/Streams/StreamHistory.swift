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
        /// The last sequence number applied; the history holds the `count` before it.
        var head: UInt64 = 0
        /// A ring: `count` items from `start` on, wrapping; it grows up to `maxItems`.
        var buffer: [StreamItem] = []
        var start = 0
        var count = 0
        var bytes = 0

        /// The `offset`-th oldest item.
        func item(_ offset: Int) -> StreamItem {
            buffer[(start + offset) % buffer.count]
        }

        mutating func dropOldest() {
            bytes -= buffer[start].frame.count
            buffer[start].frame = []
            buffer[start].change = []
            start = (start + 1) % buffer.count
            count -= 1
        }

        mutating func append(_ item: StreamItem, limit: Int) {
            if count == limit {
                dropOldest()
            }
            if count < buffer.count {
                buffer[(start + count) % buffer.count] = item
            } else {
                if start != 0 {
                    // Full but below the limit, after items fell off for their bytes: back
                    // into order once, so the ring can grow (rare: items grew smaller).
                    buffer = Array(buffer[start...] + buffer[..<start])
                    start = 0
                }
                buffer.append(item)
            }
            count += 1
            bytes += item.frame.count
        }
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
        state.withLock { ($0.count, $0.bytes) }
    }

    /// Starts again, empty, at `position`: the edge's store was replaced by a snapshot, or
    /// the edge has just started.
    func reset(to position: FeedPosition) {
        state.withLock { state in
            state = State()
            // Room for the whole ring at once (pages are touched only as it fills): growing
            // it by doubling would copy tens of thousands of items in one append.
            state.buffer.reserveCapacity(maxItems)
            state.epoch = position.epoch
            state.head = position.sequence
        }
    }

    /// Adds changes that follow the head in order (a committed group of batches). The
    /// oldest fall off past `maxItems` or `maxBytes`, one at a time.
    func append(_ items: [StreamItem]) {
        state.withLock { state in
            for item in items where !item.isRepair {
                if item.sequence <= state.head {
                    continue
                }
                if item.sequence != state.head + 1 {
                    // Not contiguous (cannot happen while the applier checks its batches):
                    // what is kept no longer joins up with what follows, so it goes.
                    let epoch = state.epoch
                    state = State()
                    state.epoch = epoch
                }
                state.head = item.sequence
                state.append(item, limit: maxItems)
            }
            while state.bytes > maxBytes, state.count > 1 {
                state.dropOldest()
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
            guard state.count > 0 else { return false }
            return position.sequence + 1 >= state.item(0).sequence
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
            let count = state.count
            guard count > 0 else { return nil }
            let first = state.item(0).sequence
            guard sequence + 1 >= first else { return nil }
            var items: [StreamItem] = []
            var bytes = 0
            var offset = Int(sequence + 1 - first)
            while offset < count, bytes < maxBytes {
                let item = state.item(offset)
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
