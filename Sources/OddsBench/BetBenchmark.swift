import Foundation
import JSON
import Locks
import OddsModel
import Transport

/// Durable bets through one edge: the most accepted bets per second (closed loop: a fixed
/// number of bets in flight, each answered before the next is sent), then the latency at a
/// steady rate below that (open loop: bets sent on a schedule, each timed from its scheduled
/// moment, so a slow answer cannot hide the ones queued behind it).
///
/// Each bet is a real customer bet: an Ed25519 token checked at the edge, forwarded to the
/// origin, decided, and stored with its stake debit, idempotency record and audit line in a
/// commit that is fsynced before the answer leaves the origin.
struct BetBenchmark {
    let admin: AdminConnection
    let edgeURL: String
    let accounts: Int
    let markets: Int
    let connections: Int
    let inFlight: Int
    let seconds: Double
    /// The steady phase's rate; nil: half the measured saturation rate.
    let steadyRate: Int?

    struct Phase {
        var sent = 0
        var accepted = 0
        var other = 0
        /// How many answers of each status other than 201 (0: no answer).
        var otherStatuses: [Int: Int] = [:]
        var elapsed = 0.0
        var samples = LatencySamples()

        var acceptedPerSecond: Double { Double(accepted) / elapsed }
    }

    func run() async throws -> (saturation: Phase, steady: Phase, rate: Int) {
        let tokens = try await prepare()
        let clients = try BetClientPool(url: edgeURL, connections: connections)
        defer { clients.close() }
        let run = UInt64.random(in: 0...UInt64.max) % 1_000_000_000
        let work = BetWork(run: run, tokens: tokens, markets: markets)

        // A short warm-up opens the connections and the origin's caches.
        _ = await closedLoop(clients, work, seconds: min(1, seconds / 5), phase: "w")
        let saturation = await closedLoop(clients, work, seconds: seconds, phase: "s")
        let rate = steadyRate ?? max(1, Int(saturation.acceptedPerSecond / 2))
        let steady = await openLoop(clients, work, rate: rate, seconds: seconds)
        return (saturation, steady, rate)
    }

    /// Markets and funded accounts with high limits, and a token for each account.
    private func prepare() async throws -> [String] {
        let event = #"{"sport":"football","competition":"Bench League","name":"Bench v Mark","#
            + #""startTime":"2030-01-01T15:00:00Z"}"#
        try await admin.expectOK(.put, "/v1/admin/events/bench-e", json: Array(event.utf8))
        for index in 0..<markets {
            let market = #"{"event":"bench-e","type":"match_odds","name":"Bench \#(index)","#
                + #""selections":[{"id":"home","name":"Home","price":"2.10"},"#
                + #"{"id":"draw","name":"Draw","price":"3.40"},"#
                + #"{"id":"away","name":"Away","price":"3.75"}]}"#
            try await admin.expectOK(
                .put, "/v1/admin/markets/bench-m\(index)", json: Array(market.utf8))
        }
        var tokens: [String] = []
        for index in 0..<accounts {
            let id = "bench-a\(index)"
            let create = #"{"id":"\#(id)","limits":{"betsPerSecond":100000,"#
                + #""maxLiabilityPerMarket":100000000000000}}"#
            let created = try await admin.send(
                .post, "/v1/admin/accounts", json: Array(create.utf8))
            guard created.status == 201 || created.status == 409 else {
                throw BenchError("account \(id): \(created.status) \(created.text)")
            }
            try await admin.expectOK(
                .post, "/v1/admin/accounts/\(id)/deposit",
                json: Array(#"{"amount":10000000000000}"#.utf8))
            let issued = try await admin.expectOK(
                .post, "/v1/admin/tokens",
                json: Array(#"{"account":"\#(id)","ttlSeconds":86400}"#.utf8))
            guard let token = try JSONParser.parse(issued.body).objectValue?["token"]?.stringValue
            else { throw BenchError("no token for \(id)") }
            tokens.append(token)
        }
        return tokens
    }

    private func closedLoop(
        _ clients: BetClientPool, _ work: BetWork, seconds: Double, phase: String
    ) async -> Phase {
        let counters = PhaseCounters()
        let started = MonotonicClock.now()
        let end = started + UInt64(seconds * 1e9)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<(connections * inFlight) {
                group.addTask {
                    var number = 0
                    while MonotonicClock.now() < end {
                        let sent = MonotonicClock.now()
                        let status = await clients.place(
                            worker % clients.count, work.request(phase, worker, number))
                        counters.record(status: status, latency: MonotonicClock.now() - sent)
                        number += 1
                    }
                }
            }
        }
        return counters.phase(elapsed: Double(MonotonicClock.now() - started) / 1e9)
    }

    private func openLoop(
        _ clients: BetClientPool, _ work: BetWork, rate: Int, seconds: Double
    ) async -> Phase {
        let counters = PhaseCounters()
        let total = Int(Double(rate) * seconds)
        let interval = 1e9 / Double(rate)
        let started = MonotonicClock.now()
        await withTaskGroup(of: Void.self) { group in
            var number = 0
            while number < total {
                // Everything due by now goes out; then one sleep to the next bet's time. A
                // sleep per bet would make the generator, not the edge, the limit at 10,000/s.
                let now = MonotonicClock.now()
                while number < total, started + UInt64(Double(number) * interval) <= now {
                    let due = started + UInt64(Double(number) * interval)
                    let sent = number
                    group.addTask {
                        let status = await clients.place(
                            sent % clients.count, work.request("o", 0, sent))
                        counters.record(status: status, latency: MonotonicClock.now() - due)
                    }
                    number += 1
                }
                guard number < total else { break }
                // One reading of the clock: a second one, taken later, could pass the first
                // reading's deadline and make the subtraction overflow.
                let next = started + UInt64(Double(number) * interval)
                let awake = MonotonicClock.now()
                try? await Task.sleep(nanoseconds: max(next, awake + 200_000) - awake)
            }
        }
        return counters.phase(elapsed: Double(MonotonicClock.now() - started) / 1e9)
    }
}

/// The bets the benchmark sends: unique keys, accounts and markets in turn.
struct BetWork: Sendable {
    let run: UInt64
    let tokens: [String]
    let markets: Int

    func request(_ phase: String, _ worker: Int, _ number: Int) -> HTTPClientRequest {
        let account = (worker * 7919 + number) % tokens.count
        let market = (worker + number) % markets
        let body = #"{"market":"bench-m\#(market)","selection":"home","price":"2.10","#
            + #""marketVersion":0,"stake":100}"#
        return HTTPClientRequest(
            method: .post, path: "/v1/bets",
            headers: [
                "authorization": "Bearer \(tokens[account])",
                "idempotency-key": "bench-\(run)-\(phase)\(worker)-\(number)",
                "content-type": "application/json",
            ],
            body: Array(body.utf8), timeout: .seconds(30))
    }
}

/// Counts and latencies of one phase. Any thread.
final class PhaseCounters: Sendable {
    private let counts = Lock((sent: 0, accepted: 0, other: 0, statuses: [Int: Int]()))
    private let samples = LatencySamples()

    func record(status: Int, latency: UInt64) {
        counts.withLock {
            $0.sent += 1
            if status == 201 { $0.accepted += 1 } else { $0.other += 1 }
            if status != 201 { $0.statuses[status, default: 0] += 1 }
        }
        samples.add(Int64(latency / 1000))
    }

    func phase(elapsed: Double) -> BetBenchmark.Phase {
        let counted = counts.withLock { $0 }
        return BetBenchmark.Phase(
            sent: counted.sent, accepted: counted.accepted, other: counted.other,
            otherStatuses: counted.statuses, elapsed: elapsed, samples: samples)
    }
}

/// Connections to the edge, spread over two event loops.
final class BetClientPool: Sendable {
    private let loops: [EventLoop]
    private let clients: [HTTP2Client]

    var count: Int { clients.count }

    init(url: String, connections: Int) throws {
        var address = url
        if address.hasPrefix("http://") { address.removeFirst(7) }
        let loops = try (0..<2).map { try EventLoop(name: "bets-\($0)") }
        self.loops = loops
        clients = try (0..<connections).map { index in
            try HTTP2Client(
                configuration: HTTP2ClientConfiguration(address: address),
                loop: loops[index % loops.count])
        }
    }

    /// Sends `request` on connection `index`; the status, or 0 when no answer came.
    func place(_ index: Int, _ request: HTTPClientRequest) async -> Int {
        await withCheckedContinuation { continuation in
            let status = Lock(0)
            clients[index].execute(request, handlers: HTTPClientStreamHandlers(
                onHead: { code, _ in status.withLock { $0 = code } },
                onData: { _ in },
                onEnd: { result in
                    switch result {
                    case .success: continuation.resume(returning: status.withLock { $0 })
                    case .failure: continuation.resume(returning: 0)
                    }
                }))
        }
    }

    func close() {
        clients.forEach { $0.close() }
        loops.forEach { $0.shutdown() }
    }
}
