import JSON
import Locks
import OddsModel
import Synchronization
import Transport

/// How the edge's live streams behave; from the edge's configuration.
struct StreamSettings: Sendable {
    /// A comment on every stream this often, so idle connections stay open.
    var heartbeatInterval: Duration64 = .seconds(15)
    /// The reconnect delay sent to clients (`retry:`), milliseconds.
    var retryMilliseconds = 1000
    /// Most stream clients at once; beyond it, new ones are told to come back later.
    var maxClients = 20_000
    /// Unsent bytes per stream past which its client is conflated.
    var bufferBytes = 64 * 1024
    /// Changes and bytes kept for resuming.
    var historyChanges = 100_000
    var historyBytes = 64 << 20
    /// The data counts as stale once the origin has been silent this long.
    var staleAfterMicros: Int64 = 3_000_000
    /// How often each loop checks freshness and heartbeats.
    var tickInterval: Duration64 = .milliseconds(250)
    /// Whether this edge feeds others (it has a `feedToken`): only then does each change
    /// keep its binary encoding for them.
    var feedsEdges = false
}

/// Where changes meet stream clients. The feed applier publishes each committed group of
/// changes here; the hub keeps them in the history and hands them to every event loop that
/// has clients, which sends each to the clients that subscribed to it. One hop per loop per
/// group, whatever the number of clients.
final class StreamHub: Sendable {
    let settings: StreamSettings
    let history: StreamHistory
    let metrics: StreamMetrics
    let snapshots: StreamSnapshots
    private let freshness: @Sendable () -> StreamFreshness
    /// Each loop's clients, made on the loop's first client; never removed (loops are few).
    /// Kept as a list too, which `publish` reads without copying.
    private let loops = Lock<(byLoop: [ObjectIdentifier: LoopStreams], list: [LoopStreams])>(
        ([:], []))
    private let clients = Atomic<Int>(0)

    init(settings: StreamSettings, snapshots: StreamSnapshots, metrics: StreamMetrics,
         freshness: @escaping @Sendable () -> StreamFreshness, start: FeedPosition)
    {
        self.settings = settings
        self.snapshots = snapshots
        self.metrics = metrics
        self.freshness = freshness
        history = StreamHistory(
            maxItems: settings.historyChanges, maxBytes: settings.historyBytes)
        history.reset(to: start)
    }

    /// The clients of `loop`, made on first use.
    func streams(on loop: EventLoop) -> LoopStreams {
        loops.withLock { loops in
            if let existing = loops.byLoop[ObjectIdentifier(loop)] {
                return existing
            }
            let made = LoopStreams(
                loop: loop, settings: settings, freshness: freshness, metrics: metrics)
            loops.byLoop[ObjectIdentifier(loop)] = made
            loops.list.append(made)
            return made
        }
    }

    /// Takes a client slot; false when the edge has its most clients already.
    func admit() -> Bool {
        let now = clients.wrappingAdd(1, ordering: .relaxed).newValue
        guard now <= settings.maxClients else {
            clients.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        metrics.clients.set(now)
        return true
    }

    func release() {
        metrics.clients.set(clients.wrappingSubtract(1, ordering: .relaxed).newValue)
    }

    var freshnessNow: StreamFreshness {
        freshness()
    }

    /// Changes just committed, in sequence order (and repaired markets). Applier thread.
    func publish(_ items: [StreamItem]) {
        guard !items.isEmpty else { return }
        history.append(items)
        metrics.historyChanges.set(history.size.items)
        // A loop without clients is not woken: a client it takes meanwhile registers
        // before it reads its snapshot, which has these changes already.
        for streams in loops.withLock({ $0.list }) where streams.hasClients {
            streams.loop.execute { streams.deliver(items) }
        }
    }

    /// The store was replaced (a snapshot from the origin, a new epoch): the history starts
    /// again at `position`, and every client gets a reset and a fresh snapshot.
    func restart(at position: FeedPosition) {
        history.reset(to: position)
        metrics.historyChanges.set(0)
        for streams in loops.withLock({ $0.list }) {
            streams.loop.execute { [self] in
                for subscriber in streams.subscribers {
                    resynchronise(subscriber, reason: "the edge resynchronised with the origin")
                }
                for feed in streams.feedSubscribers {
                    feed.restart()
                }
            }
        }
    }

    /// Sends a reset event and a fresh snapshot of what `subscriber` subscribed to, and
    /// carries on after the snapshot's position. Loop thread.
    func resynchronise(_ subscriber: StreamSubscriber, reason: String) {
        metrics.resets.increment()
        subscriber.stream.write(Self.resetNotice(reason))
        sendSnapshot(subscriber)
    }

    /// Writes the snapshot of what `subscriber` follows and carries on after its position.
    /// Loop thread.
    func sendSnapshot(_ subscriber: StreamSubscriber) {
        do {
            let (position, frame) = try snapshots.read(subscriber.filter)
            subscriber.restart(after: position.sequence)
            subscriber.stream.write(frame)
        } catch {
            // Without a snapshot the client cannot go on: ending the stream makes it
            // reconnect, and try again.
            subscriber.stream.write(ServerSentEvent.comment("the store could not be read"))
            subscriber.stream.finish()
        }
    }

    static func resetNotice(_ reason: String) -> [UInt8] {
        var writer = JSONWriter(capacity: 96)
        writer.beginObject()
        writer.key("reason")
        writer.string(reason)
        writer.endObject()
        return ServerSentEvent.frame(id: nil, event: "reset", data: writer.bytes)
    }
}
