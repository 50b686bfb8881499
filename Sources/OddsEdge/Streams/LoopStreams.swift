import JSON
import OddsModel
import Synchronization
import Transport

/// The stream clients of one event loop, indexed by what they subscribed to, so a change
/// reaches the clients that want it without a look at the others. Also the loop's timer:
/// heartbeats on idle streams, and the stale and fresh notices when the origin goes quiet
/// or comes back. Everything here runs on `loop`.
final class LoopStreams: @unchecked Sendable {
    // @unchecked: all state is touched on `loop` only (asserted where it is entered).

    let loop: EventLoop
    private let settings: StreamSettings
    private let freshness: @Sendable () -> StreamFreshness
    private let metrics: StreamMetrics
    private var everything: [ObjectIdentifier: StreamSubscriber] = [:]
    private var byMarket: [String: [ObjectIdentifier: StreamSubscriber]] = [:]
    private var byEvent: [String: [ObjectIdentifier: StreamSubscriber]] = [:]
    private var bySport: [String: [ObjectIdentifier: StreamSubscriber]] = [:]
    private var all: [ObjectIdentifier: StreamSubscriber] = [:]
    /// Edges below this one, fed from this loop.
    private var feeds: [ObjectIdentifier: EdgeFeedSubscriber] = [:]
    private var timer: UInt64?
    private var lastHeartbeat: UInt64 = 0
    /// The notice these clients were last given: stale or not.
    private(set) var isStale = false
    /// Stream clients and fed edges, for the hub to skip a loop with none. Any thread.
    private let clients = Atomic<Int>(0)

    var hasClients: Bool {
        clients.load(ordering: .acquiring) > 0
    }

    init(loop: EventLoop, settings: StreamSettings,
         freshness: @escaping @Sendable () -> StreamFreshness, metrics: StreamMetrics)
    {
        self.loop = loop
        self.settings = settings
        self.freshness = freshness
        self.metrics = metrics
    }

    var count: Int {
        all.count
    }

    func addFeed(_ feed: EdgeFeedSubscriber) {
        loop.assertInEventLoop()
        if feeds.updateValue(feed, forKey: ObjectIdentifier(feed)) == nil {
            clients.wrappingAdd(1, ordering: .releasing)
        }
        startTicking()
    }

    func removeFeed(_ feed: EdgeFeedSubscriber) {
        loop.assertInEventLoop()
        if feeds.removeValue(forKey: ObjectIdentifier(feed)) != nil {
            clients.wrappingSubtract(1, ordering: .releasing)
        }
        stopTickingWhenIdle()
    }

    var feedSubscribers: [EdgeFeedSubscriber] {
        Array(feeds.values)
    }

    func add(_ subscriber: StreamSubscriber) {
        loop.assertInEventLoop()
        let id = ObjectIdentifier(subscriber)
        guard all.updateValue(subscriber, forKey: id) == nil else { return }
        clients.wrappingAdd(1, ordering: .releasing)
        let filter = subscriber.filter
        if filter.isEverything {
            everything[id] = subscriber
        }
        for market in filter.markets {
            byMarket[market, default: [:]][id] = subscriber
        }
        for event in filter.events {
            byEvent[event, default: [:]][id] = subscriber
        }
        for sport in filter.sports {
            bySport[sport, default: [:]][id] = subscriber
        }
        startTicking()
    }

    private func startTicking() {
        if timer == nil {
            lastHeartbeat = MonotonicClock.now()
            isStale = freshness().isStale
            scheduleTick()
        }
    }

    private func stopTickingWhenIdle() {
        if all.isEmpty, feeds.isEmpty, let timer {
            loop.cancelTimer(timer)
            self.timer = nil
        }
    }

    func remove(_ subscriber: StreamSubscriber) {
        loop.assertInEventLoop()
        let id = ObjectIdentifier(subscriber)
        guard all.removeValue(forKey: id) != nil else { return }
        clients.wrappingSubtract(1, ordering: .releasing)
        everything[id] = nil
        let filter = subscriber.filter
        for market in filter.markets {
            Self.remove(id, market, from: &byMarket)
        }
        for event in filter.events {
            Self.remove(id, event, from: &byEvent)
        }
        for sport in filter.sports {
            Self.remove(id, sport, from: &bySport)
        }
        stopTickingWhenIdle()
    }

    /// Sends each item to the clients whose subscription takes it.
    func deliver(_ items: [StreamItem]) {
        loop.assertInEventLoop()
        for feed in feeds.values {
            feed.deliver(items)
        }
        guard !all.isEmpty else { return }
        let now = WallClock.micros()
        for item in items {
            for subscriber in everything.values {
                subscriber.deliver(item)
            }
            if item.kind == .market, let subscribers = byMarket[item.id] {
                for subscriber in subscribers.values {
                    subscriber.deliver(item)
                }
            }
            if let subscribers = byEvent[item.eventID] {
                for subscriber in subscribers.values {
                    subscriber.deliver(item)
                }
            }
            if !item.sport.isEmpty, let subscribers = bySport[item.sport] {
                for subscriber in subscribers.values {
                    subscriber.deliver(item)
                }
            }
            if item.publishedAtMicros > 0 {
                let micros = max(0, now - item.publishedAtMicros)
                metrics.delivery.observe(seconds: Double(micros) / 1e6)
            }
        }
    }

    /// Every client of this loop, for a reset after the edge resynchronised.
    var subscribers: [StreamSubscriber] {
        Array(all.values)
    }

    private static func remove(
        _ id: ObjectIdentifier, _ key: String,
        from index: inout [String: [ObjectIdentifier: StreamSubscriber]]
    ) {
        index[key]?[id] = nil
        if index[key]?.isEmpty == true {
            index[key] = nil
        }
    }

    private func scheduleTick() {
        timer = loop.scheduleTimer(after: settings.tickInterval) { [weak self] in
            guard let self else { return }
            self.timer = nil
            self.tick()
            if !self.all.isEmpty || !self.feeds.isEmpty {
                self.scheduleTick()
            }
        }
    }

    /// Tells clients when the data turns stale or fresh again, and sends heartbeats.
    private func tick() {
        let fresh = freshness()
        for feed in feeds.values {
            feed.tick(fresh)
        }
        if fresh.isStale != isStale {
            isStale = fresh.isStale
            let notice = Self.freshnessNotice(fresh)
            for subscriber in all.values {
                subscriber.notify(notice)
            }
        }
        let now = MonotonicClock.now()
        if now &- lastHeartbeat >= settings.heartbeatInterval.nanoseconds {
            lastHeartbeat = now
            let beat = ServerSentEvent.comment("heartbeat")
            for subscriber in all.values {
                subscriber.notify(beat)
            }
        }
    }

    /// `stale` or `fresh`, with how long ago the origin was last heard from.
    static func freshnessNotice(_ fresh: StreamFreshness) -> [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writer.key("stale")
        writer.bool(fresh.isStale)
        writer.key("ageMs")
        writer.int(fresh.ageMilliseconds)
        writer.endObject()
        return ServerSentEvent.frame(
            id: nil, event: fresh.isStale ? "stale" : "fresh", data: writer.bytes)
    }
}

/// How fresh the edge's data is: stale once the origin has been silent past
/// `staleAfterMs` (or was never heard from).
struct StreamFreshness: Sendable {
    var isStale: Bool
    var ageMilliseconds: Int64
}
