import Dispatch
import JSON
import Locks
import OddsModel
import Transport

/// Watches one edge's applied sequence with `/readyz?after=N` (the edge answers as soon as
/// its store moves past N), on the edge connection's event loop (each answer sends the next
/// request at once, with no task hop), and dates every change the applied sequence moves
/// past: readable at the edge by then. A change is measured once the commit time of its
/// batch is known from the benchmark's own feed stream.
///
/// One request per commit at the edge, not a poll: back-to-back polls of `/readyz` kept
/// both cores busy and slowed the origin and the edges they measured (p99 at 10,000
/// changes/s was 3.0-3.6 ms with them); a paced poller overshot its sleeps by far more.
final class ReadinessPoller: @unchecked Sendable {
    // @unchecked: `seen`, `undated` and `body` are touched only on the connection's loop
    // (every handler runs there); `stopped` and `finished` are thread-safe.
    private let edge: AdminConnection
    private let committed: Lock<[UInt64: Int64]>
    let samples = LatencySamples()
    private let stopped = Lock(false)
    private let finished = DispatchSemaphore(value: 0)
    private var seen: UInt64
    private var undated: [UInt64: Int64] = [:]
    private var body: [UInt8] = []

    init(edge: AdminConnection, from sequence: UInt64, committed: Lock<[UInt64: Int64]>) {
        self.edge = edge
        self.committed = committed
        seen = sequence
    }

    func start() {
        edge.loop.execute { [self] in pollNext() }
    }

    /// Stops after the poll in flight and waits for it.
    func stop() {
        stopped.withLock { $0 = true }
        finished.wait()
    }

    private func pollNext() {
        guard !stopped.withLock({ $0 }) else {
            finished.signal()
            return
        }
        body.removeAll(keepingCapacity: true)
        edge.client.execute(
            HTTPClientRequest(path: "/readyz?after=\(seen)&waitMs=1000", timeout: .seconds(5)),
            handlers: HTTPClientStreamHandlers(
                onData: { [self] bytes in body.append(contentsOf: bytes) },
                onEnd: { [self] result in
                    if case .success = result {
                        record(answeredAt: WallClock.micros())
                    }
                    pollNext()
                }))
    }

    private func record(answeredAt now: Int64) {
        guard let applied = (try? JSONParser.parse(body))?.objectValue?["appliedSequence"]?
            .int64Value.map(UInt64.init)
        else { return }
        if applied > seen {
            for sequence in (seen + 1)...applied {
                undated[sequence] = now
            }
            seen = applied
        }
        guard !undated.isEmpty else { return }
        let known = committed.withLock { table in
            undated.compactMap { sequence, readable in
                table[sequence].map { (sequence, readable - $0) }
            }
        }
        for (sequence, latency) in known {
            samples.add(latency)
            undated[sequence] = nil
        }
    }
}
