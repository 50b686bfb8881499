import OddsModel
import Store
import Transport

/// An edge below this one, fed over `/v1/feed` the way the origin feeds edges: a snapshot
/// when its position is not in this edge's history (or of another epoch), then every change
/// in order as batches, and heartbeats while this edge's own data is fresh. Never conflated:
/// when the lower edge reads slower than changes come, live changes are left to the history
/// and sent from it as the stream drains; if the history has moved on meanwhile, the stream
/// ends and the lower edge dials again for a snapshot. Runs on its connection's loop.
final class EdgeFeedSubscriber: @unchecked Sendable {
    // @unchecked: every field but `stream` is touched only on the connection's loop.

    let edgeID: String
    let stream: BodyStream
    private let hub: StreamHub
    private let store: EdgeStore
    private var position: FeedPosition
    /// Catching up from the history (after a resume, or after the stream filled up).
    private var replaying = false
    private var lastWrite = MonotonicClock.now()
    static let heartbeatInterval = Duration64.seconds(1)
    static let replayStepBytes = 256 * 1024
    static let snapshotPartRecords = 500

    init(edgeID: String, stream: BodyStream, hub: StreamHub, store: EdgeStore) {
        self.edgeID = edgeID
        self.stream = stream
        self.hub = hub
        self.store = store
        position = .empty
    }

    /// Starts after `asked`: from the history when it has what follows, else a snapshot.
    func start(after asked: FeedPosition) {
        if asked.epoch != 0, hub.history.covers(asked) {
            position = asked
            replaying = true
            pump()
        } else {
            sendSnapshot()
        }
    }

    /// Changes just committed here, in sequence order.
    func deliver(_ items: [StreamItem]) {
        guard !replaying, !stream.isClosed else { return }
        let fresh = items.filter { !$0.isRepair && $0.sequence > position.sequence }
        guard let first = fresh.first else { return }
        guard first.sequence == position.sequence + 1 else {
            // Something is missing between: the history has it, or the stream must restart.
            replaying = true
            pump()
            return
        }
        if !write(fresh) {
            replaying = true
        }
    }

    /// The loop's tick: a heartbeat after a second of silence, while this edge is fresh.
    func tick(_ fresh: StreamFreshness) {
        guard !fresh.isStale, !stream.isClosed,
            MonotonicClock.now() &- lastWrite >= Self.heartbeatInterval.nanoseconds
        else { return }
        lastWrite = MonotonicClock.now()
        stream.write(FeedFrame.heartbeat(
            position: hub.history.head, sentAtMicros: WallClock.micros()).encoded)
    }

    /// The stream has room again.
    func drained() {
        if replaying {
            pump()
        }
    }

    /// This edge's own store was replaced: the lower edge gets the new state whole.
    func restart() {
        replaying = false
        sendSnapshot()
    }

    /// Writes `items` as one batch; false once the stream is past its high-water mark.
    @discardableResult
    private func write(_ items: [StreamItem]) -> Bool {
        guard let last = items.last else { return stream.isWritable }
        let frame = FeedFrame.batchFrame(
            epoch: position.epoch, committedAtMicros: last.committedAtMicros,
            encodedChanges: items.map(\.change))
        position.sequence = last.sequence
        lastWrite = MonotonicClock.now()
        return stream.write(frame)
    }

    /// Writes pages of the history until the stream is full or the lower edge has caught up.
    private func pump() {
        while replaying {
            guard let page = hub.history.page(
                after: position.sequence, epoch: position.epoch, filter: StreamFilter(),
                maxBytes: Self.replayStepBytes)
            else {
                // The history moved on: dialling again gets the lower edge a snapshot.
                replaying = false
                stream.finish()
                return
            }
            guard write(page.items.filter { !$0.isRepair }) else {
                return  // full: `drained` goes on
            }
            if page.atHead {
                replaying = false
            }
        }
    }

    /// Sends the whole store as a snapshot, read in one transaction, then carries on live.
    private func sendSnapshot() {
        do {
            var frames: [[UInt8]] = []
            let at = try store.environment.read { txn in
                let cursor = try store.cursor(in: txn)
                frames.append(FeedFrame.snapshotBegin(
                    position: cursor.position, publishedAtMicros: cursor.publishedAtMicros
                ).encoded)
                var events: [[UInt8]] = []
                try txn.forEach(store.events) { _, record in
                    if let header = EdgeRecord.header(record) {
                        events.append(Array(EdgeRecord.wire(record, header)))
                    }
                    return true
                }
                frames.append(
                    FeedFrame.snapshotPartFrame(encodedEvents: events, encodedMarkets: []))
                var markets: [[UInt8]] = []
                try txn.forEach(store.markets) { _, record in
                    if let header = EdgeRecord.header(record) {
                        markets.append(Array(EdgeRecord.wire(record, header)))
                    }
                    if markets.count == Self.snapshotPartRecords {
                        frames.append(FeedFrame.snapshotPartFrame(
                            encodedEvents: [], encodedMarkets: markets))
                        markets.removeAll(keepingCapacity: true)
                    }
                    return true
                }
                if !markets.isEmpty {
                    frames.append(
                        FeedFrame.snapshotPartFrame(encodedEvents: [], encodedMarkets: markets))
                }
                frames.append(FeedFrame.snapshotEnd(position: cursor.position).encoded)
                return cursor.position
            }
            position = at
            lastWrite = MonotonicClock.now()
            for frame in frames {
                stream.write(frame)
            }
            // What committed after the read arrives live; what came between, from the history.
            if !stream.isWritable {
                replaying = true
            }
        } catch {
            stream.finish()
        }
    }
}
