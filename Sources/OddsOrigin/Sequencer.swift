import Dispatch
import Foundation
import OddsModel
import Service
import Telemetry
import Transport

/// The origin's one writer: a thread that owns the book, numbers every change, stores each
/// group of changes in one LMDB commit, then answers and publishes them.
///
/// Commands that arrive while a commit is under way are applied together and committed
/// together (group commit), so the rate of changes is not capped by the disk's fsync rate.
/// Feed subscriptions and state inspections go through the same queue, so a subscriber
/// joins between two commits and never misses or repeats a change.
final class Sequencer: Sendable {
    enum Job: Sendable {
        case command(
            AdminCommand, reply: @Sendable (Result<CommandOutcome, AdminRejection>) -> Void)
        case account(
            AccountCommand, reply: @Sendable (Result<AccountOutcome, AdminRejection>) -> Void)
        case bet(BetSubmission, reply: @Sendable (BetAnswer) -> Void)
        case settlement(
            SettlementCommand,
            reply: @Sendable (Result<SettlementOutcome, AdminRejection>) -> Void)
        case subscribe(FeedSubscriber)
        case inspect(@Sendable (OriginView) -> Void)
        case stop
    }

    /// What a command did: its changes, and the head after them.
    struct CommandOutcome: Sendable {
        var changes: [Change]
        var position: FeedPosition
    }

    private let thread = WriterThread<Job>(name: "sequencer")
    private let state: ThreadConfined<SequencerState>

    init(
        store: OriginStore, loaded: OriginStore.Loaded, configuration: OriginConfiguration,
        edges: EdgeRegistry, metrics: OriginMetrics, logger: Logger
    ) {
        state = ThreadConfined(SequencerState(
            store: store, loaded: loaded, configuration: configuration, edges: edges,
            metrics: metrics, logger: logger))
    }

    /// Starts the thread.
    func start() {
        let state = self.state
        thread.start { queue in state.value.run(queue) }
    }

    /// Queues a job. Any thread; replies come on the sequencer thread.
    func submit(_ job: Job) {
        thread.submit(job)
    }

    /// Finishes the jobs queued so far, ends every feed stream and stops the thread.
    func stop() {
        thread.submit(.stop)
        thread.join()
    }
}

/// A read-only view of the origin's state, handed to inspections on the sequencer thread.
struct OriginView: Sendable {
    var book: OriginBook
    var position: FeedPosition
    var logFirstSequence: UInt64
    var publishedAtMicros: Int64
}

final class SequencerState {
    let store: OriginStore
    let configuration: OriginConfiguration
    let edges: EdgeRegistry
    let metrics: OriginMetrics
    let logger: Logger

    var book: OriginBook
    var bets: BetBook
    var lastAuditNumber: UInt64
    /// Where each stored idempotency record is; records of the group being decided are in
    /// its `decided` until their commit.
    var idempotency: IdempotencyIndex
    /// In-play bets waiting out their market's bet delay, in the order they fall due.
    var delayedBets: [DelayedBet] = []
    var position: FeedPosition
    var logFirstSequence: UInt64
    var publishedAtMicros: Int64 = 0
    var subscribers: [FeedSubscriber] = []
    var lastFrameAt = DispatchTime.now()
    var lastRetentionAt = DispatchTime.now()
    /// When the last pass ended, and how long the heartbeats and retention after it took.
    var lastPassEndedAt = DispatchTime.now().uptimeNanoseconds
    var housekeepingNanoseconds: UInt64 = 0
    let slowPasses = SlowPassReport()

    init(
        store: OriginStore, loaded: OriginStore.Loaded, configuration: OriginConfiguration,
        edges: EdgeRegistry, metrics: OriginMetrics, logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.edges = edges
        self.metrics = metrics
        self.logger = logger
        book = loaded.book
        bets = loaded.bets
        lastAuditNumber = loaded.lastAuditNumber
        idempotency = loaded.idempotency
        position = loaded.position
        logFirstSequence = loaded.logFirstSequence
        publishedAtMicros = WallClock.micros()
        edges.published(position, atMicros: publishedAtMicros)
        metrics.sequence.set(Int(clamping: position.sequence))
    }

    func run(_ queue: JobQueue<Sequencer.Job>) {
        let heartbeat = UInt64(configuration.heartbeatIntervalMilliseconds) * 1_000_000
        while true {
            var wakeAt = lastFrameAt.uptimeNanoseconds + heartbeat
            if let due = delayedBets.first?.dueAtNanoseconds {
                wakeAt = min(wakeAt, due)
            }
            let jobs = queue.takeAll(waitingUntil: DispatchTime(uptimeNanoseconds: wakeAt))
            if jobs.contains(where: { if case .stop = $0 { return true } else { return false } }) {
                process(jobs.filter { if case .stop = $0 { return false } else { return true } })
                for subscriber in subscribers {
                    subscriber.stream.finish()
                }
                subscribers.removeAll()
                return
            }
            if !jobs.isEmpty || delayedBets.first.map({
                $0.dueAtNanoseconds <= DispatchTime.now().uptimeNanoseconds
            }) == true {
                process(jobs)
            }
            let now = DispatchTime.now()
            if now.uptimeNanoseconds >= lastFrameAt.uptimeNanoseconds + heartbeat {
                broadcast(FeedFrame.heartbeat(position: position, sentAtMicros: WallClock.micros())
                    .encoded)
            }
            if now.uptimeNanoseconds >= lastRetentionAt.uptimeNanoseconds + 1_000_000_000 {
                lastRetentionAt = now
                applyRetention()
            }
            housekeepingNanoseconds = DispatchTime.now().uptimeNanoseconds
                &- now.uptimeNanoseconds
        }
    }

    // MARK: Commands

    /// Applies a group of jobs in order, stores everything they changed in one commit, then
    /// answers them: nothing is answered before it is on disk.
    private func process(_ jobs: [Sequencer.Job]) {
        let started = DispatchTime.now().uptimeNanoseconds
        var group = CommitGroup(nowMicros: WallClock.micros())
        var later: [Sequencer.Job] = []

        for job in jobs {
            switch job {
            case .command(let command, let reply):
                do {
                    let made = try book.apply(
                        command, nextSequence: position.sequence + UInt64(group.changes.count) + 1,
                        publishedAtMicros: group.nowMicros)
                    group.changes += made
                    group.commandReplies.append((reply, .success(made)))
                } catch {
                    metrics.commandsRefused.increment()
                    group.commandReplies.append((reply, .failure(error)))
                }
            case .account(let command, let reply):
                group.accountReplies.append((reply, apply(command, &group)))
            case .bet(let submission, let reply):
                receive(submission, reply: reply, &group)
            case .settlement(let command, let reply):
                group.settlementReplies.append((reply, apply(command, &group)))
            case .subscribe, .inspect, .stop:
                later.append(job)
            }
        }
        decideDueBets(&group)

        let decided = DispatchTime.now().uptimeNanoseconds
        if !group.changes.isEmpty || !group.writes.isEmpty {
            commit(&group)
        }
        let committed = DispatchTime.now().uptimeNanoseconds
        group.answer(position: position)
        for job in later {
            switch job {
            case .subscribe(let subscriber):
                attach(subscriber)
            case .inspect(let body):
                body(OriginView(
                    book: book, position: position, logFirstSequence: logFirstSequence,
                    publishedAtMicros: publishedAtMicros))
            case .command, .account, .bet, .settlement, .stop:
                break
            }
        }
        let ended = DispatchTime.now().uptimeNanoseconds
        report(PassTiming(
            sinceLastPassNanoseconds: started &- lastPassEndedAt,
            housekeepingNanoseconds: housekeepingNanoseconds,
            oldestBetWaitNanoseconds: group.oldestBetReceivedAt == .max
                ? 0 : started &- min(started, group.oldestBetReceivedAt),
            decideNanoseconds: decided &- started, commitNanoseconds: committed &- decided,
            answerNanoseconds: ended &- committed, jobs: jobs.count,
            bets: group.betReplies.count, changes: group.changes.count), at: ended)
        lastPassEndedAt = ended
    }

    /// Counts a slow pass and writes a warning with where its time went, at most once a
    /// second (the line counts the slow passes since the one before).
    private func report(_ timing: PassTiming, at now: UInt64) {
        guard slowPasses.isSlow(timing) else { return }
        metrics.slowPasses.increment()
        guard let count = slowPasses.throttle.occurrence(at: now) else { return }
        func ms(_ nanoseconds: UInt64) -> LogValue {
            .double((Double(nanoseconds) / 1e3).rounded() / 1e3)
        }
        logger.warning("origin.slow_pass", [
            "pass_ms": ms(timing.passNanoseconds), "decide_ms": ms(timing.decideNanoseconds),
            "commit_ms": ms(timing.commitNanoseconds), "answer_ms": ms(timing.answerNanoseconds),
            "oldest_bet_wait_ms": ms(timing.oldestBetWaitNanoseconds),
            "since_last_pass_ms": ms(timing.sinceLastPassNanoseconds),
            "housekeeping_ms": ms(timing.housekeepingNanoseconds),
            "jobs": LogValue(timing.jobs), "bets": LogValue(timing.bets),
            "changes": LogValue(timing.changes), "slow_passes": LogValue(count),
        ])
    }

    private func commit(_ group: inout CommitGroup) {
        let changes = group.changes
        let encoded = changes.map { $0.wireBytes }
        let next = FeedPosition(
            epoch: position.epoch, sequence: position.sequence + UInt64(changes.count))
        let started = DispatchTime.now()
        do {
            try store.commit(
                changes, encoded: encoded, position: next, writes: group.writes,
                firstAuditNumber: lastAuditNumber + 1)
        } catch {
            // The books already hold the refused changes: reload them from the store, which
            // holds exactly what was committed, and tell every caller in the group.
            logger.error("origin.commit_failed", ["error": .string("\(error)")])
            metrics.commitFailures.increment()
            reloadBook()
            group.fail(AdminRejection(
                kind: .unavailable, message: "the store could not commit: \(error)"))
            return
        }
        metrics.commitLatency.observe(
            nanoseconds: DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)
        metrics.commits.increment()
        lastAuditNumber += UInt64(group.writes.audit.count)
        for record in group.writes.idempotency {
            idempotency.insert(record.key, createdAtMicros: record.createdAtMicros)
        }
        metrics.betsAccepted.increment(by: group.betsAccepted)
        metrics.betsRejected.increment(by: group.betsRejected)
        guard !changes.isEmpty else { return }
        metrics.changes.increment(by: changes.count)
        position = next
        publishedAtMicros = group.nowMicros
        metrics.sequence.set(Int(clamping: position.sequence))
        edges.published(position, atMicros: group.nowMicros)
        broadcast(FeedFrame.batchFrame(
            epoch: position.epoch, committedAtMicros: WallClock.micros(), encodedChanges: encoded))
    }

    private func reloadBook() {
        do {
            let loaded = try store.load(newEpoch: false)
            book = loaded.book
            bets = loaded.bets
            lastAuditNumber = loaded.lastAuditNumber
            idempotency = loaded.idempotency
            position = loaded.position
            logFirstSequence = loaded.logFirstSequence
        } catch {
            logger.critical("origin.reload_failed", ["error": .string("\(error)")])
        }
    }

    // MARK: Feed

    /// Brings a new subscriber up to the head, from the log when it holds what the subscriber
    /// lacks, by a snapshot otherwise, then adds it to the live subscribers.
    private func attach(_ subscriber: FeedSubscriber) {
        let asked = subscriber.after
        let behind = position.sequence &- asked.sequence
        let fromLog = asked.epoch == position.epoch && asked.sequence <= position.sequence
            && asked.sequence + 1 >= logFirstSequence
            && behind <= UInt64(configuration.feedCatchUpMaxChanges)
        var caughtUp = false
        if fromLog {
            caughtUp = sendLog(after: asked.sequence, to: subscriber)
        }
        if !caughtUp {
            sendSnapshot(to: subscriber)
        }
        subscriber.stream.write(
            FeedFrame.heartbeat(position: position, sentAtMicros: WallClock.micros()).encoded)
        subscribers.append(subscriber)
        metrics.subscribers.set(subscribers.count)
        logger.info("feed.subscribed", [
            "edge.id": .string(subscriber.edgeID), "asked": .string("\(asked)"),
            "head": .string("\(position)"), "snapshot": .bool(!caughtUp),
        ])
    }

    private func sendLog(after sequence: UInt64, to subscriber: FeedSubscriber) -> Bool {
        var expected = sequence + 1
        var pending: [[UInt8]] = []
        var contiguous = true
        do {
            try store.readLog(after: sequence) { bytes in
                var reader = WireReader(bytes)
                guard let number = try? reader.uint64(), number == expected else {
                    contiguous = false
                    return false
                }
                pending.append(Array(bytes))
                expected += 1
                if pending.count == FeedLimits.changesPerFrame {
                    subscriber.stream.write(
                        FeedFrame.batchFrame(
                            epoch: position.epoch, committedAtMicros: 0, encodedChanges: pending))
                    pending.removeAll(keepingCapacity: true)
                }
                return expected <= position.sequence
            }
        } catch {
            logger.error("feed.log_read_failed", ["error": .string("\(error)")])
            contiguous = false
        }
        guard contiguous, expected == position.sequence + 1 else { return false }
        if !pending.isEmpty {
            subscriber.stream.write(
                FeedFrame.batchFrame(
                            epoch: position.epoch, committedAtMicros: 0, encodedChanges: pending))
        }
        return true
    }

    private func sendSnapshot(to subscriber: FeedSubscriber) {
        metrics.snapshotsSent.increment()
        let stream = subscriber.stream
        stream.write(FeedFrame.snapshotBegin(
            position: position, publishedAtMicros: publishedAtMicros).encoded)
        var events = Array(book.events.values)
        while !events.isEmpty {
            let part = Array(events.suffix(FeedLimits.itemsPerSnapshotFrame))
            events.removeLast(part.count)
            stream.write(FeedFrame.snapshotPart(events: part, markets: []).encoded)
        }
        var markets = Array(book.markets.values)
        while !markets.isEmpty {
            let part = Array(markets.suffix(FeedLimits.itemsPerSnapshotFrame))
            markets.removeLast(part.count)
            stream.write(FeedFrame.snapshotPart(events: [], markets: part).encoded)
        }
        stream.write(FeedFrame.snapshotEnd(position: position).encoded)
    }

    /// Writes one frame to every live subscriber, dropping those that closed and those so
    /// far behind that their backlog passed the limit: they come back and catch up from the
    /// log, which is cheaper than an unbounded queue here.
    private func broadcast(_ frame: [UInt8]) {
        lastFrameAt = DispatchTime.now()
        guard !subscribers.isEmpty else { return }
        var dropped = false
        for subscriber in subscribers {
            if subscriber.stream.isClosed {
                dropped = true
                continue
            }
            if subscriber.stream.bufferedBytes > configuration.feedMaxBufferedBytes {
                logger.warning("feed.subscriber_too_slow", [
                    "edge.id": .string(subscriber.edgeID),
                    "buffered_bytes": .int(Int64(subscriber.stream.bufferedBytes)),
                ])
                metrics.subscribersDropped.increment()
                subscriber.stream.finish()
                subscriber.dropped = true
                dropped = true
                continue
            }
            subscriber.stream.write(frame)
        }
        if dropped {
            subscribers.removeAll { $0.dropped || $0.stream.isClosed }
            metrics.subscribers.set(subscribers.count)
        }
    }

    // MARK: Retention

    /// Trims the log to the configured number of changes and age, and the idempotency
    /// records to their configured age.
    private func applyRetention() {
        trimIdempotency()
        var keepFrom = logFirstSequence
        let maxChanges = UInt64(configuration.logRetentionChanges)
        if position.sequence >= logFirstSequence,
            position.sequence - logFirstSequence + 1 > maxChanges
        {
            keepFrom = position.sequence - maxChanges + 1
        }
        let cutoff = WallClock.micros() - Int64(configuration.logRetentionSeconds) * 1_000_000
        do {
            if let first = try store.firstSequence(publishedAtOrAfter: cutoff) {
                keepFrom = max(keepFrom, first)
            } else if position.sequence >= logFirstSequence {
                keepFrom = position.sequence + 1
            }
            guard keepFrom > logFirstSequence else { return }
            let removed = try store.trimLog(below: keepFrom)
            logFirstSequence = keepFrom
            metrics.logFirstSequence.set(Int(clamping: keepFrom))
            logger.debug("origin.log_trimmed", [
                "removed": .int(Int64(removed)), "first": .int(Int64(clamping: keepFrom)),
            ])
        } catch {
            logger.error("origin.log_trim_failed", ["error": .string("\(error)")])
        }
    }
}

extension SequencerState {
    fileprivate func trimIdempotency() {
        let cutoff = WallClock.micros()
            - Int64(configuration.idempotencyRetentionSeconds) * 1_000_000
        do {
            let removed = try store.environment.write { txn in
                try store.money.trimIdempotency(before: cutoff, txn)
            }
            for record in removed {
                idempotency.remove(record.key, createdAtMicros: record.createdAtMicros)
            }
            if !removed.isEmpty {
                logger.debug("bets.idempotency_trimmed", ["removed": .int(Int64(removed.count))])
            }
        } catch {
            logger.error("bets.idempotency_trim_failed", ["error": .string("\(error)")])
        }
    }
}

/// An edge's feed stream, as the sequencer keeps it. Sequencer thread only, after creation.
final class FeedSubscriber: @unchecked Sendable {
    // @unchecked: `dropped` is touched only on the sequencer thread; the rest is immutable.
    let edgeID: String
    let after: FeedPosition
    let stream: BodyStream
    var dropped = false

    init(edgeID: String, after: FeedPosition, stream: BodyStream) {
        self.edgeID = edgeID
        self.after = after
        self.stream = stream
    }
}

/// Sizes of feed frames.
enum FeedLimits {
    static let changesPerFrame = 1000
    static let itemsPerSnapshotFrame = 500
}
