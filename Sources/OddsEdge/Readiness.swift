import JSON
import Locks
import OddsModel
import Service
import Synchronization
import Telemetry
import Transport

/// `GET /readyz`: whether the edge has caught up, and where its store and the origin stand.
/// With `?after=N` the answer waits (up to `waitMs`, default 1 s) until the edge has applied
/// a sequence number past N, so a deploy script, a test or a benchmark can wait for a change
/// without polling.
enum Readiness {
    static let defaultWaitMilliseconds = 1000
    static let maxWaitMilliseconds = 60_000

    /// The readiness document: 200 when ready, 503 before.
    static func response(_ edge: EdgeState.Snapshot) -> HTTPResponse {
        .json(status: edge.ready ? 200 : 503) { writer in
            writer.beginObject()
            writer.key("ready")
            writer.bool(edge.ready)
            writer.key("connected")
            writer.bool(edge.connected)
            writer.key("epoch")
            writer.string(FeedPosition.hex(edge.applied.epoch))
            writer.key("appliedSequence")
            writer.uint(edge.applied.sequence)
            writer.key("originSequence")
            writer.uint(edge.originHead.sequence)
            writer.endObject()
        }
    }

    /// Answers `request` now, or once the edge has applied past its `after`. Loop thread.
    static func answer(_ request: HTTPRequest, _ responder: Responder, state: EdgeState) {
        guard let after = request.queryParameter("after") else {
            return responder.respond(response(state.snapshot))
        }
        guard let sequence = UInt64(after) else {
            return responder.respond(.problem(
                status: 400, title: "Bad request",
                detail: "after must be a sequence number (a whole number, 0 or more)"))
        }
        var wait = defaultWaitMilliseconds
        if let text = request.queryParameter("waitMs") {
            guard let value = Int(text), (0...maxWaitMilliseconds).contains(value) else {
                return responder.respond(.problem(
                    status: 400, title: "Bad request",
                    detail: "waitMs must be milliseconds from 0 to \(maxWaitMilliseconds)"))
            }
            wait = value
        }
        let edge = state.snapshot
        guard edge.applied.sequence <= sequence, wait > 0, let loop = EventLoop.current else {
            return responder.respond(response(edge))
        }
        let timer = loop.scheduleTimer(after: .milliseconds(wait)) {
            if state.waiters.remove(responder) {
                responder.respond(response(state.snapshot))
            }
        }
        guard state.waiters.add(Waiter(
            after: sequence, epoch: edge.applied.epoch, responder: responder, loop: loop,
            timer: timer))
        else {
            loop.cancelTimer(timer)
            return responder.respond(response(edge))
        }
        // The store may have moved between the snapshot and the add: look again.
        let now = state.snapshot
        if now.applied.sequence > sequence || now.applied.epoch != edge.applied.epoch,
            state.waiters.remove(responder)
        {
            loop.cancelTimer(timer)
            responder.respond(response(now))
        }
    }
}

/// A `/readyz?after=N` request waiting for the store to move past N (or to another epoch).
struct Waiter: Sendable {
    let after: UInt64
    let epoch: UInt64
    let responder: Responder
    /// The loop of the request's connection, and its timeout there: cancelled when the
    /// waiter is answered sooner, so the timer does not hold the responder until it fires.
    let loop: EventLoop
    let timer: UInt64

    /// Answers with `answer` and cancels the timeout. Any thread.
    func answer(_ answer: HTTPResponse) {
        responder.respond(answer)
        let (loop, timer) = (self.loop, self.timer)
        loop.execute { loop.cancelTimer(timer) }
    }
}

/// The requests waiting on the edge's applied position. Whoever takes a waiter out of the
/// list (the state change that satisfies it, or its timer) answers it, so each is answered
/// once. Any thread; a state change with nobody waiting costs one atomic load.
final class ReadinessWaiters: Sendable {
    /// Past this many, a new request is answered at once instead of waiting.
    static let maxWaiters = 10_000

    private let waiting = Lock<[Waiter]>([])
    private let count = Atomic<Int>(0)
    private let gauge: Gauge?

    init(gauge: Gauge? = nil) {
        self.gauge = gauge
    }

    /// Adds `waiter`; false when too many wait already.
    func add(_ waiter: Waiter) -> Bool {
        waiting.withLock { list in
            guard list.count < Self.maxWaiters else { return false }
            list.append(waiter)
            publishCount(list.count)
            return true
        }
    }

    /// Takes `responder`'s waiter out; false when it was taken already.
    func remove(_ responder: Responder) -> Bool {
        waiting.withLock { list in
            guard let index = list.firstIndex(where: { $0.responder === responder }) else {
                return false
            }
            list.remove(at: index)
            publishCount(list.count)
            return true
        }
    }

    /// Takes out the waiters that `applied` satisfies.
    func satisfied(by applied: FeedPosition) -> [Waiter] {
        guard count.load(ordering: .acquiring) > 0 else { return [] }
        return waiting.withLock { list in
            var done: [Waiter] = []
            list.removeAll { waiter in
                let met = applied.sequence > waiter.after || applied.epoch != waiter.epoch
                if met { done.append(waiter) }
                return met
            }
            publishCount(list.count)
            return done
        }
    }

    private func publishCount(_ value: Int) {
        count.store(value, ordering: .releasing)
        gauge?.set(value)
    }
}
