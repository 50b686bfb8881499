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
        var timeline = LatencyTimeline()

        var acceptedPerSecond: Double { Double(accepted) / elapsed }
    }

    func run() async throws -> (saturation: Phase, steady: Phase, rate: Int) {
        let tokens = try await prepare()
        let clients = try BetClientPool(url: edgeURL, connections: connections)
        defer { clients.close() }
        let lanes = BetLanes(clients)
        let run = UInt64.random(in: 0...UInt64.max) % 1_000_000_000
        let work = BetWork(
            run: run, authorizations: tokens.map { "Bearer \($0)" }, markets: markets)

        // A short warm-up opens the connections and the origin's caches.
        _ = await lanes.closedLoop(
            work, inFlight: inFlight, seconds: min(1, seconds / 5), phase: "w")
        let saturation = await lanes.closedLoop(
            work, inFlight: inFlight, seconds: seconds, phase: "s")
        let rate = steadyRate ?? max(1, Int(saturation.acceptedPerSecond / 2))
        let steady = await lanes.openLoop(work, rate: rate, seconds: seconds)
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
}

/// The bets the benchmark sends: unique keys, accounts and markets in turn.
struct BetWork: Sendable {
    let run: UInt64
    /// `Authorization` values, one per account.
    let authorizations: [String]
    let markets: Int

    func request(_ phase: String, _ worker: Int, _ number: Int) -> HTTPClientRequest {
        let account = (worker * 7919 + number) % authorizations.count
        let market = (worker + number) % markets
        let body = #"{"market":"bench-m\#(market)","selection":"home","price":"2.10","#
            + #""marketVersion":0,"stake":100}"#
        return HTTPClientRequest(
            method: .post, path: "/v1/bets",
            headers: [
                "authorization": authorizations[account],
                "idempotency-key": "bench-\(run)-\(phase)\(worker)-\(number)",
                "content-type": "application/json",
            ],
            body: Array(body.utf8), timeout: .seconds(30))
    }
}

/// Connections to the edge, spread over two event loops.
final class BetClientPool: Sendable {
    /// Each connection's loop, by connection.
    let loops: [EventLoop]
    let clients: [HTTP2Client]

    init(url: String, connections: Int) throws {
        var address = url
        if address.hasPrefix("http://") { address.removeFirst(7) }
        let threads = try (0..<2).map { try EventLoop(name: "bets-\($0)") }
        loops = (0..<connections).map { threads[$0 % threads.count] }
        clients = try loops.map { loop in
            try HTTP2Client(configuration: HTTP2ClientConfiguration(address: address), loop: loop)
        }
    }

    func close() {
        clients.forEach { $0.close() }
        var stopped: Set<ObjectIdentifier> = []
        for loop in loops where stopped.insert(ObjectIdentifier(loop)).inserted {
            loop.shutdown()
        }
    }
}
