import Locks
import Transport

/// Sends the benchmark's bets from the clients' event loops themselves. An answer's handler
/// records it and sends the next bet on the same loop, with no task, continuation or thread
/// hand-off between them: the generator shares two cores with the edge and the origin it
/// measures, and every microsecond it spends is one they cannot.
///
/// One lane per connection. A lane's state is touched on its client's loop only, behind an
/// uncontended lock so that the summing thread sees it whole once the phase is over.
final class BetLanes: Sendable {
    private let lanes: [Lane]

    init(_ pool: BetClientPool) {
        lanes = pool.clients.indices.map { Lane(client: pool.clients[$0], loop: pool.loops[$0]) }
    }

    /// Closed loop for `seconds`: `inFlight` bets outstanding on each connection, each
    /// answered before the next of its slot is sent. Returns when every slot has stopped.
    func closedLoop(
        _ work: BetWork, inFlight: Int, seconds: Double, phase: String
    ) async -> BetBenchmark.Phase {
        let started = MonotonicClock.now()
        let end = started + UInt64(seconds * 1e9)
        await run(slots: lanes.count * inFlight) { finished in
            for (index, lane) in lanes.enumerated() {
                lane.loop.execute {
                    for slot in 0..<inFlight {
                        let worker = index * inFlight + slot
                        lane.keepSending(work, phase, worker, 0, until: end, finished)
                    }
                }
            }
        }
        return summed(elapsed: Double(MonotonicClock.now() - started) / 1e9)
    }

    /// Open loop: `rate` bets a second for `seconds`, bet n due at n / rate seconds after the
    /// start and timed from then, so a slow answer cannot hide the bets queued behind it. The
    /// bets go to the lanes in turn; each loop sends what is due on its lanes at every tick.
    func openLoop(_ work: BetWork, rate: Int, seconds: Double) async -> BetBenchmark.Phase {
        let total = max(1, Int(Double(rate) * seconds))
        let started = MonotonicClock.now()
        let interval = 1e9 / Double(rate)
        let loops = Dictionary(grouping: lanes.indices) { ObjectIdentifier(lanes[$0].loop) }
        await run(slots: total) { finished in
            for indices in loops.values {
                let schedule = OpenSchedule(
                    lanes: indices.map { lanes[$0] }, laneNumbers: indices,
                    laneCount: lanes.count, total: total, started: started,
                    interval: interval)
                indices.first.map { lanes[$0].loop }?.execute {
                    schedule.tick(work, finished)
                }
            }
        }
        var phase = summed(elapsed: Double(MonotonicClock.now() - started) / 1e9)
        phase.timeline.started = started
        return phase
    }

    /// Starts the phase through `start` and waits until `slots` calls of the countdown it is
    /// given have come in.
    private func run(slots: Int, _ start: (Countdown) -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            start(Countdown(slots) { continuation.resume() })
        }
    }

    private func summed(elapsed: Double) -> BetBenchmark.Phase {
        var phase = BetBenchmark.Phase()
        phase.elapsed = elapsed
        for lane in lanes {
            lane.tally.withLock { tally in
                phase.sent += tally.sent
                phase.accepted += tally.accepted
                phase.other += tally.sent - tally.accepted
                phase.otherStatuses.merge(tally.otherStatuses, uniquingKeysWith: +)
                phase.samples.add(tally.latencies)
                phase.timeline.add(starts: tally.starts, latencies: tally.latencies)
                tally = Tally()
            }
        }
        return phase
    }

    /// What a lane has seen in the current phase.
    struct Tally {
        var sent = 0
        var accepted = 0
        var otherStatuses: [Int: Int] = [:]
        /// Microseconds from each bet's start (closed loop) or due time (open loop).
        var latencies: [Int64] = []
        /// When each bet started or was due (monotonic nanoseconds), in `latencies`' order.
        var starts: [UInt64] = []
    }

    /// One connection's bets. Its loop's thread only, but for `tally` after a phase.
    final class Lane: Sendable {
        let client: HTTP2Client
        let loop: EventLoop
        let tally = Lock(Tally())

        init(client: HTTP2Client, loop: EventLoop) {
            self.client = client
            self.loop = loop
        }

        /// Sends one bet, records its status (0: no answer) and latency from `start`, then
        /// calls `answered` on the loop.
        func send(
            _ request: HTTPClientRequest, from start: UInt64,
            _ answered: @escaping @Sendable () -> Void
        ) {
            let lane = self
            client.execute(request, handlers: HTTPClientStreamHandlers(
                onHead: { status, _ in lane.record(status: status, from: start) },
                onData: { _ in },
                onEnd: { result in
                    if case .failure = result { lane.record(status: 0, from: start) }
                    answered()
                }))
        }

        /// Sends bet `number` of `worker` and, as each is answered, the next, until `end`;
        /// then counts the slot down.
        func keepSending(
            _ work: BetWork, _ phase: String, _ worker: Int, _ number: Int, until end: UInt64,
            _ finished: Countdown
        ) {
            let request = work.request(phase, worker, number)
            send(request, from: MonotonicClock.now()) { [self] in
                guard MonotonicClock.now() < end else {
                    finished.countDown()
                    return
                }
                // Sent from a fresh loop task, not from inside the answer's callback, which
                // runs while the connection is still reading.
                loop.execute {
                    self.keepSending(work, phase, worker, number + 1, until: end, finished)
                }
            }
        }

        private func record(status: Int, from start: UInt64) {
            let micros = Int64((MonotonicClock.now() &- start) / 1000)
            tally.withLock { tally in
                tally.sent += 1
                if status == BetLanes.acceptedStatus {
                    tally.accepted += 1
                } else {
                    tally.otherStatuses[status, default: 0] += 1
                }
                tally.latencies.append(micros)
                tally.starts.append(start)
            }
        }
    }

    static let acceptedStatus = 201
}

/// The open loop's schedule on one event loop: which bets are due, sent from a timer that
/// fires about every millisecond (the loop's timer granularity).
private final class OpenSchedule: @unchecked Sendable {
    // @unchecked: touched only on the one event loop its lanes share.
    let lanes: [BetLanes.Lane]
    let laneCount: Int
    let total: Int
    let started: UInt64
    let interval: Double
    /// The next bet to send, per lane of this loop: bet n goes to lane n % laneCount, so a
    /// lane's first is its place among all lanes.
    private var next: [Int]

    init(
        lanes: [BetLanes.Lane], laneNumbers: [Int], laneCount: Int, total: Int,
        started: UInt64, interval: Double
    ) {
        self.lanes = lanes
        self.laneCount = laneCount
        self.total = total
        self.started = started
        self.interval = interval
        next = laneNumbers
    }

    func tick(_ work: BetWork, _ finished: Countdown) {
        let now = MonotonicClock.now()
        var pending = false
        for index in lanes.indices {
            while next[index] < total {
                let number = next[index]
                let due = started + UInt64(Double(number) * interval)
                guard due <= now else { break }
                lanes[index].send(work.request("o", 0, number), from: due) {
                    finished.countDown()
                }
                next[index] += laneCount
            }
            pending = pending || next[index] < total
        }
        guard pending else { return }
        lanes[0].loop.scheduleTimer(after: .milliseconds(1)) { [self] in
            tick(work, finished)
        }
    }
}

/// Calls its action once, when it has been counted down to zero. Any thread.
final class Countdown: Sendable {
    private let remaining: Lock<Int>
    private let action: @Sendable () -> Void

    init(_ count: Int, _ action: @escaping @Sendable () -> Void) {
        remaining = Lock(count)
        self.action = action
    }

    func countDown() {
        let left = remaining.withLock {
            $0 -= 1
            return $0
        }
        if left == 0 { action() }
    }
}
