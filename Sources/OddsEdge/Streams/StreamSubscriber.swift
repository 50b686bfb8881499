import JSON
import Transport

/// One stream client on its connection's loop: what it subscribed to, the last change it
/// was sent, and, while it reads slower than prices change, the changes held back for it.
///
/// While the client keeps up, each change is written as it comes. Once its stream's buffer
/// passes the high-water mark, the subscriber conflates: for each market or event it keeps
/// the latest change, except that a change of status (a suspension, a settlement, going
/// in-play) is never replaced by a later one. When the buffer drains, it writes a
/// `conflated` event, then what it held, in sequence order. What it holds is bounded by the
/// number of markets and events it subscribed to, whatever the rate of change.
final class StreamSubscriber: @unchecked Sendable {
    // @unchecked: every field but `stream` (which is thread-safe) is touched only on the
    // loop of the client's connection.

    let stream: BodyStream
    let filter: StreamFilter
    /// The highest sequence number sent or skipped as already seen.
    private(set) var lastSequence: UInt64
    private(set) var isConflating = false
    /// Held-back changes by market or event: status changes in order, then the latest.
    private var held: [Key: [StreamItem]] = [:]
    /// Changes replaced by a later one while conflating, since the last `conflated` event.
    private var skipped = 0
    private let metrics: StreamMetrics

    /// A status change kept per market beyond this replaces the last one kept: the final
    /// state is still sent, and memory stays bounded even for a flapping market.
    static let maxHeldPerRecord = 16

    private struct Key: Hashable {
        var kind: StreamItem.Kind
        var id: String
    }

    init(stream: BodyStream, filter: StreamFilter, after sequence: UInt64,
         metrics: StreamMetrics)
    {
        self.stream = stream
        self.filter = filter
        self.lastSequence = sequence
        self.metrics = metrics
    }

    /// Set while the client catches up from the history after a resume: live changes are
    /// left to the history until the replay reaches its head.
    private var replay: (history: StreamHistory, epoch: UInt64)?
    /// Bytes of history written per step of a replay.
    static let replayStepBytes = 32 * 1024

    /// Starts sending what the client missed after `lastSequence`, from `history`, page by
    /// page as the stream takes them. False when the history no longer has them.
    func replay(from history: StreamHistory, epoch: UInt64) -> Bool {
        replay = (history, epoch)
        return pumpReplay()
    }

    /// Writes pages of the history until the stream is full or the replay has caught up.
    /// False when the history lost the next change meanwhile (the client needs a reset).
    @discardableResult
    private func pumpReplay() -> Bool {
        while let (history, epoch) = replay {
            guard let page = history.page(
                after: lastSequence, epoch: epoch, filter: filter,
                maxBytes: Self.replayStepBytes)
            else {
                replay = nil
                return false
            }
            for item in page.items {
                lastSequence = item.sequence
                write(item.frame)
            }
            if page.atHead {
                replay = nil
                isConflating = false
                return true
            }
            if isConflating {
                // Full: `drain` picks the replay up again once the stream has room.
                return true
            }
        }
        return true
    }

    /// Sends `item` if the client has not seen it, or holds it back while conflating.
    func deliver(_ item: StreamItem) {
        guard replay == nil else { return }
        guard item.sequence > lastSequence || item.isRepair else { return }
        lastSequence = max(lastSequence, item.sequence)
        if isConflating {
            hold(item)
            return
        }
        write(item.frame)
    }

    /// Writes bytes that are not a change (a heartbeat, a notice): dropped while the client
    /// is behind, since what it holds matters more and a full buffer keeps the link alive.
    func notify(_ bytes: [UInt8]) {
        guard !isConflating else { return }
        write(bytes)
    }

    /// Writes what the subscriber holds, once the stream has room again; false when a
    /// replay found its next change gone from the history. Loop thread.
    func drain() -> Bool {
        if replay != nil {
            isConflating = false
            return pumpReplay()
        }
        guard isConflating else { return true }
        let items = held.values.joined().sorted { $0.sequence < $1.sequence }
        held.removeAll(keepingCapacity: false)
        isConflating = false
        var notice = JSONWriter(capacity: 48)
        notice.beginObject()
        notice.key("skipped")
        notice.int(Int64(skipped))
        notice.key("sent")
        notice.int(Int64(items.count))
        notice.endObject()
        skipped = 0
        metrics.conflations.increment()
        write(ServerSentEvent.frame(id: nil, event: "conflated", data: notice.bytes))
        for item in items {
            guard !isConflating else {
                hold(item)
                continue
            }
            write(item.frame)
        }
        return true
    }

    /// Replaces what the client is owed by what follows a fresh snapshot at `sequence`.
    func restart(after sequence: UInt64) {
        replay = nil
        held.removeAll(keepingCapacity: false)
        skipped = 0
        isConflating = false
        lastSequence = sequence
    }

    private func write(_ bytes: [UInt8]) {
        metrics.eventsSent.increment()
        if !stream.write(bytes) && !stream.isClosed {
            isConflating = true
        }
    }

    private func hold(_ item: StreamItem) {
        let key = Key(kind: item.kind, id: item.id)
        var kept = held[key] ?? []
        if let last = kept.last,
            last.status == item.status || kept.count >= Self.maxHeldPerRecord
        {
            kept[kept.count - 1] = item
            skipped += 1
        } else {
            kept.append(item)
        }
        held[key] = kept
    }
}
