import Dispatch
import Foundation
import Locks
import Service
import OddsModel
import Store
import Synchronization
import Telemetry
import Transport

/// The edge's one writer: a thread that applies feed frames to the store in sequence order,
/// each group of batches in one LMDB transaction together with the cursor, then
/// acknowledges the new position to the origin.
///
/// A batch that does not follow the cursor exactly (another epoch, a gap, a repeat) is never
/// applied: the applier reports a resynchronisation, the feed client drops the stream and
/// dials again from the stored cursor, and the origin answers from its log or with a
/// snapshot.
final class FeedApplier: Sendable {
    enum Job: Sendable {
        /// A frame from feed session `session`.
        case frame(session: UInt64, FeedFrame)
        /// Markets fetched from the origin to repair ones that differ.
        /// Ids in `delete` are markets the origin does not have.
        case repair([Market], delete: [String], reply: @Sendable (Int) -> Void)
        /// Sends an acknowledgement now (after an integrity check, say).
        case acknowledge
        case stop
    }

    private let thread = WriterThread<Job>(name: "feed-applier")
    private let worker: ThreadConfined<ApplierWorker>

    init(
        store: EdgeStore, state: EdgeState, metrics: EdgeMetrics, logger: Logger,
        streams: StreamHub, children: ChildEdges, syncIntervalMilliseconds: Int,
        auditAppliedSequences: Bool, onResync: @escaping @Sendable (UInt64, String) -> Void
    ) {
        worker = ThreadConfined(ApplierWorker(
            store: store, state: state, metrics: metrics, logger: logger, streams: streams,
            children: children,
            syncIntervalMilliseconds: syncIntervalMilliseconds,
            auditAppliedSequences: auditAppliedSequences, onResync: onResync))
    }

    func start() {
        let worker = self.worker
        worker.value.flusher.start()
        thread.start { queue in worker.value.run(queue) }
    }

    /// Queues a job. Any thread.
    func submit(_ job: Job) {
        thread.submit(job)
    }

    /// Sets where acknowledgements go for feed session `session`. Any thread (the target
    /// sits behind its own lock; the rest of the worker stays on the applier thread).
    func acknowledge(to stream: BodyStream?, session: UInt64) {
        worker.value.setAcknowledgementStream(stream, session: session)
    }

    func stop() {
        thread.submit(.stop)
        thread.join()
    }

    /// After `stop`: whether the last sync put everything committed on disk.
    var storeIsOnDisk: Bool {
        worker.value.storeIsOnDisk.load(ordering: .acquiring)
    }
}

final class ApplierWorker {
    private let store: EdgeStore
    private let state: EdgeState
    private let metrics: EdgeMetrics
    private let logger: Logger
    private let auditAppliedSequences: Bool
    private let onResync: @Sendable (UInt64, String) -> Void
    /// Where committed changes go to stream clients.
    private let streams: StreamHub
    /// The edges this one feeds, reported upstream with every acknowledgement.
    private let children: ChildEdges
    /// Each known event's sport, so a market change can reach the clients of its sport.
    private var sports: [String: String] = [:]

    private var position: FeedPosition
    private var publishedAtMicros: Int64
    /// Frames of sessions at or below this are stale (their stream was abandoned).
    private var abandonedSession: UInt64 = 0
    private var snapshot: (position: FeedPosition, events: [Event], markets: [Market])?
    /// When the origin's commit of the latest batch completed (0 for batches from its log).
    private var latestCommittedAtMicros: Int64 = 0
    /// Flushes the store to disk in the background (a sync interval of 0 syncs each commit).
    let flusher: StoreFlusher
    /// Set by the final sync at `.stop`.
    let storeIsOnDisk = Atomic<Bool>(false)
    private let acknowledgement = LockedAcknowledgement()

    init(
        store: EdgeStore, state: EdgeState, metrics: EdgeMetrics, logger: Logger,
        streams: StreamHub, children: ChildEdges, syncIntervalMilliseconds: Int,
        auditAppliedSequences: Bool, onResync: @escaping @Sendable (UInt64, String) -> Void
    ) {
        self.store = store
        self.streams = streams
        self.children = children
        self.auditAppliedSequences = auditAppliedSequences
        self.state = state
        self.metrics = metrics
        self.logger = logger
        flusher = StoreFlusher(
            environment: store.environment, intervalMilliseconds: syncIntervalMilliseconds,
            logger: logger, latency: metrics.storeSync)
        self.onResync = onResync
        let cursor = (try? store.cursor()) ?? (.empty, 0)
        position = cursor.position
        publishedAtMicros = cursor.publishedAtMicros
        state.update {
            $0.applied = cursor.position
            $0.appliedPublishedAtMicros = cursor.publishedAtMicros
        }
        metrics.appliedSequence.set(Int(clamping: position.sequence))
        sports = (try? Self.storedSports(store)) ?? [:]
    }

    private static func storedSports(_ store: EdgeStore) throws -> [String: String] {
        var sports: [String: String] = [:]
        try store.environment.read { txn in
            try txn.forEach(store.events) { _, record in
                if let header = EdgeRecord.header(record),
                    let event = try? Event(wireBytes: EdgeRecord.wire(record, header))
                {
                    sports[event.id] = event.sport
                }
                return true
            }
        }
        return sports
    }

    func setAcknowledgementStream(_ stream: BodyStream?, session: UInt64) {
        acknowledgement.set(stream, session: session)
    }

    func run(_ queue: JobQueue<FeedApplier.Job>) {
        while true {
            let jobs = queue.takeAll(waitingUntil: .now() + .milliseconds(100))
            var batches: [(UInt64, [Change])] = []
            for job in jobs {
                switch job {
                case .stop:
                    flush(&batches)
                    storeIsOnDisk.store(flusher.stop(), ordering: .releasing)
                    return
                case .frame(let session, let frame):
                    guard session > abandonedSession else { continue }
                    handle(frame, session: session, batches: &batches)
                case .repair(let markets, let delete, let reply):
                    flush(&batches)
                    reply(repair(markets, delete: delete))
                case .acknowledge:
                    flush(&batches)
                    sendAcknowledgement()
                }
            }
            flush(&batches)
        }
    }

    private func handle(
        _ frame: FeedFrame, session: UInt64, batches: inout [(UInt64, [Change])]
    ) {
        let now = WallClock.micros()
        state.update { $0.lastHeardMicros = now }
        switch frame {
        case .batch(let epoch, let committedAt, let changes):
            guard snapshot == nil else {
                return resync(session, "a batch arrived inside a snapshot")
            }
            let expected = (batches.last?.1.last?.sequence ?? position.sequence) + 1
            guard epoch == position.epoch else {
                return resync(session, "batch of epoch \(FeedPosition.hex(epoch)), store has "
                    + FeedPosition.hex(position.epoch))
            }
            guard let first = changes.first, first.sequence == expected,
                zip(changes, changes.dropFirst()).allSatisfy({ $0.sequence + 1 == $1.sequence })
            else {
                return resync(session, "batch does not follow sequence \(expected - 1)")
            }
            batches.append((session, changes))
            latestCommittedAtMicros = committedAt
            if let last = changes.last {
                state.update {
                    if last.sequence > $0.originHead.sequence || $0.originHead.epoch != epoch {
                        $0.originHead = FeedPosition(epoch: epoch, sequence: last.sequence)
                    }
                }
            }
        case .heartbeat(let head, _):
            flush(&batches)
            state.update {
                $0.originHead = head
                if head.epoch == $0.applied.epoch, $0.applied.sequence >= head.sequence,
                    snapshot == nil
                {
                    $0.ready = true
                }
            }
            updateLag()
            // Answering every heartbeat keeps the origin's view of this edge's lag fresh while
            // nothing changes, and the feed's request body alive.
            sendAcknowledgement()
        case .snapshotBegin(let at, _):
            flush(&batches)
            logger.warning("feed.snapshot_started", [
                "from": .string("\(position)"), "to": .string("\(at)"),
            ])
            state.update { $0.ready = false }
            snapshot = (at, [], [])
        case .snapshotPart(let events, let markets):
            guard snapshot != nil else { return resync(session, "snapshot part out of place") }
            snapshot?.events += events
            snapshot?.markets += markets
        case .snapshotEnd(let at):
            guard let taken = snapshot, taken.position == at else {
                return resync(session, "snapshot end out of place")
            }
            snapshot = nil
            applySnapshot(taken, session: session)
        case .acknowledgement:
            break
        }
    }

    /// Applies queued batches in one transaction with the cursor, then acknowledges.
    private func flush(_ batches: inout [(UInt64, [Change])]) {
        guard !batches.isEmpty else { return }
        defer { batches.removeAll(keepingCapacity: true) }
        let started = DispatchTime.now()
        // One batch is the common case: take its array as it is, without copying the changes.
        let changes = batches.count == 1 ? batches[0].1 : batches.flatMap(\.1)
        guard let last = changes.last else { return }
        let next = FeedPosition(epoch: position.epoch, sequence: last.sequence)
        // Each change's client document, made inside the transaction (the store keeps it),
        // in the order of `changes`.
        var documents: [[UInt8]] = []
        do {
            try store.environment.write { txn in
                // A write is retried whole after the map grows: start the documents afresh.
                documents.removeAll(keepingCapacity: true)
                // By index: `for change in changes` would copy each change out first.
                for index in changes.indices {
                    documents.append(try put(changes[index], in: txn))
                    if auditAppliedSequences {
                        try audit(changes[index].sequence, in: txn)
                    }
                }
                try store.putCursor(next, publishedAtMicros: last.publishedAtMicros, in: txn)
            }
        } catch {
            logger.error("feed.apply_failed", ["error": .string("\(error)")])
            metrics.applyFailures.increment()
            resync(batches[0].0, "the store refused the batch: \(error)")
            return
        }
        position = next
        publishedAtMicros = last.publishedAtMicros
        // Readable from here on: say so first (readiness waiters are answered now), then
        // make the stream events.
        state.update {
            $0.applied = next
            $0.appliedPublishedAtMicros = last.publishedAtMicros
            if $0.originHead.epoch == next.epoch, $0.originHead.sequence <= next.sequence {
                $0.ready = true
            }
        }
        let now = WallClock.micros()
        metrics.applyLatency.observe(
            nanoseconds: DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)
        let accepted = latestCommittedAtMicros > 0
            ? latestCommittedAtMicros : last.publishedAtMicros
        metrics.propagation.observe(seconds: Double(max(0, now - accepted)) / 1e6)
        streams.publish(changes.indices.map { streamItem(changes[$0], json: documents[$0]) })
        metrics.changesApplied.increment(by: changes.count)
        metrics.appliedSequence.set(Int(clamping: next.sequence))
        updateLag()
        sendAcknowledgement()
    }

    /// Stores `change` and returns its client document.
    private func put(_ change: Change, in txn: borrowing WriteTransaction) throws -> [UInt8] {
        switch change.body {
        case .market(let market):
            let json = market.jsonBytes(publishedAtMicros: change.publishedAtMicros)
            // Not over a market repaired from the origin that is already newer.
            let existed = try EdgeRecord.putUnlessNewer(
                txn, store.markets, Array(market.id.utf8), version: market.version,
                publishedAtMicros: change.publishedAtMicros, wire: change.bodyWireBytes,
                json: json)
            // A market never moves to another event, so a known market is indexed already.
            if !existed {
                try txn.put(
                    store.eventMarkets,
                    EdgeStore.indexKey(event: market.eventID, market: market.id), [])
            }
            return json
        case .event(let event):
            let json = event.jsonBytes(publishedAtMicros: change.publishedAtMicros)
            try EdgeRecord.put(
                txn, store.events, Array(event.id.utf8), version: event.version,
                publishedAtMicros: change.publishedAtMicros, wire: change.bodyWireBytes,
                json: json)
            sports[event.id] = event.sport
            return json
        }
    }

    /// What stream clients get of `change`, whose client document is `json`.
    private func streamItem(_ change: Change, json: [UInt8]) -> StreamItem {
        switch change.body {
        case .market(let market):
            return streamItem(change, .market(
                market, sequence: change.sequence, epoch: position.epoch,
                publishedAtMicros: change.publishedAtMicros,
                sport: sports[market.eventID] ?? "", json: json))
        case .event(let event):
            return streamItem(change, .event(
                event, sequence: change.sequence, epoch: position.epoch,
                publishedAtMicros: change.publishedAtMicros, json: json))
        }
    }

    /// `item` with what the edges below this one need of `change`.
    private func streamItem(_ change: Change, _ item: StreamItem) -> StreamItem {
        var item = item
        if streams.settings.feedsEdges {
            item.change = change.encodedBytes
        }
        item.committedAtMicros = latestCommittedAtMicros
        return item
    }

    private func audit(_ sequence: UInt64, in txn: borrowing WriteTransaction) throws {
        let key = StoreKey.uint64(sequence)
        let count = try txn.withValue(store.appliedAudit, key) { value in
            value.count == 4 ? UInt32(littleEndian: value.loadUnaligned(as: UInt32.self)) : 0
        } ?? 0
        var writer = WireWriter(capacity: 4)
        writer.uint32(count + 1)
        try txn.put(store.appliedAudit, key, writer.bytes)
    }

    private func applySnapshot(
        _ taken: (position: FeedPosition, events: [Event], markets: [Market]), session: UInt64
    ) {
        let started = DispatchTime.now()
        let published = WallClock.micros()
        do {
            try store.environment.write { txn in
                try txn.clear(store.markets)
                try txn.clear(store.events)
                try txn.clear(store.eventMarkets)
                for event in taken.events {
                    try EdgeRecord.put(txn, store.events, event, publishedAtMicros: published)
                }
                for market in taken.markets {
                    try EdgeRecord.put(txn, store.markets, market, publishedAtMicros: published)
                    try txn.put(store.eventMarkets, EdgeStore.indexKey(
                        event: market.eventID, market: market.id), [])
                }
                try store.putCursor(taken.position, publishedAtMicros: published, in: txn)
            }
        } catch {
            logger.error("feed.snapshot_failed", ["error": .string("\(error)")])
            resync(session, "the store refused the snapshot: \(error)")
            return
        }
        position = taken.position
        publishedAtMicros = published
        sports = Dictionary(
            taken.events.map { ($0.id, $0.sport) }, uniquingKeysWith: { _, last in last })
        streams.restart(at: taken.position)
        metrics.snapshotsApplied.increment()
        metrics.appliedSequence.set(Int(clamping: position.sequence))
        state.update {
            $0.applied = taken.position
            $0.appliedPublishedAtMicros = published
        }
        logger.warning("feed.snapshot_applied", [
            "position": .string("\(taken.position)"),
            "events": .int(Int64(taken.events.count)), "markets": .int(Int64(taken.markets.count)),
            "ms": .int(Int64((DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)
                / 1_000_000)),
        ])
        sendAcknowledgement()
    }

    /// Writes markets fetched from the origin over what the store holds, unless the store
    /// already holds a newer version. Returns how many were written.
    private func repair(_ markets: [Market], delete: [String]) -> Int {
        var written = 0
        var repaired: [Market] = []
        let now = WallClock.micros()
        do {
            try store.environment.write { txn in
                written = 0
                repaired = []
                for market in markets {
                    let key = Array(market.id.utf8)
                    let stored = try txn.withValue(store.markets, key) { EdgeRecord.header($0) }
                    if let header = stored ?? nil, header.version > market.version
                    {
                        continue
                    }
                    try EdgeRecord.put(txn, store.markets, market, publishedAtMicros: now)
                    try txn.put(store.eventMarkets, EdgeStore.indexKey(
                        event: market.eventID, market: market.id), [])
                    written += 1
                    repaired.append(market)
                }
                for id in delete {
                    let key = Array(id.utf8)
                    let stored = try txn.withValue(store.markets, key) { record in
                        EdgeRecord.header(record).flatMap {
                            try? Market(wireBytes: EdgeRecord.wire(record, $0))
                        }
                    }
                    if try txn.delete(store.markets, key) {
                        written += 1
                    }
                    if let market = stored ?? nil {
                        try txn.delete(store.eventMarkets, EdgeStore.indexKey(
                            event: market.eventID, market: market.id))
                    }
                }
            }
        } catch {
            logger.error("integrity.repair_failed", ["error": .string("\(error)")])
            return 0
        }
        streams.publish(repaired.map { market in
            var item = StreamItem.market(
                market, sequence: position.sequence, epoch: position.epoch,
                publishedAtMicros: now, sport: sports[market.eventID] ?? "",
                json: market.jsonBytes(publishedAtMicros: now))
            item.isRepair = true
            return item
        })
        return written
    }

    private func resync(_ session: UInt64, _ reason: String) {
        abandonedSession = max(abandonedSession, session)
        snapshot = nil
        metrics.resyncs.increment()
        logger.error("feed.resync", [
            "reason": .string(reason), "cursor": .string("\(position)"),
        ])
        onResync(session, reason)
    }

    private func updateLag() {
        let snapshot = state.snapshot
        let behind = snapshot.originHead.epoch == position.epoch
            ? snapshot.originHead.sequence &- min(position.sequence, snapshot.originHead.sequence)
            : snapshot.originHead.sequence
        metrics.lagChanges.set(Int(clamping: behind))
        let lag = behind == 0 ? 0 : max(0, WallClock.micros() - publishedAtMicros) / 1000
        metrics.lagMilliseconds.set(Int(lag))
    }

    private func sendAcknowledgement() {
        let integrity = state.snapshot.integrity
        acknowledgement.send(
            FeedFrame.acknowledgement(
                position: position, integrity: integrity, downstream: children.reports
            ).encoded)
    }
}

/// Where acknowledgements go: the request body of the current feed stream.
final class LockedAcknowledgement: Sendable {
    private let target = Lock<(stream: BodyStream?, session: UInt64)>((nil, 0))

    func set(_ stream: BodyStream?, session: UInt64) {
        target.withLock { $0 = (stream, session) }
    }

    func send(_ frame: [UInt8]) {
        let stream = target.withLock { $0.stream }
        stream?.write(frame)
    }
}
