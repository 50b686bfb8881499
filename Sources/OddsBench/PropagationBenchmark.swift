import Foundation
import JSON
import Locks
import OddsModel
import Transport

/// Time from a price change committed at the origin to (a) readable at each edge and (b)
/// arrived at a feed client, at a steady rate of changes over a set of markets.
///
/// The origin stamps every change with its commit time (wall clock); on one machine the
/// clocks agree, so latencies are differences of wall-clock times, counted from the moment
/// the origin's commit completed (carried in each batch frame). (b) is stamped when the
/// bench's own feed stream delivers the change. (a) polls each edge's `/readyz` back to
/// back (`ReadinessPoller`): when the applied sequence moves from A to B, changes A+1 ... B
/// became readable by then, so (a) is late by at most one poll.
struct PropagationBenchmark {
    let admin: AdminConnection
    let feedURL: String
    let feedToken: String
    let edgeURLs: [String]
    let changesPerSecond: Int
    let markets: Int
    let seconds: Double
    /// How "readable at the edge" is observed: by polling `/readyz` back to back (which
    /// loads the machine it measures), or by a live stream of everything from each edge (a
    /// change goes to streams once it is committed to the edge's store, so this adds the
    /// stream's own fan-out and delivery).
    var readableBy = ReadableBy.poll

    enum ReadableBy: String {
        case stream
        case poll
    }

    struct Result {
        var rate: Int
        var achievedRate: Double
        var feed: LatencySamples
        var edges: [(String, LatencySamples)]
    }

    func run() async throws -> Result {
        try await BenchLoad.createMarkets(admin, count: markets)
        let head = try await BenchLoad.originHead(admin)
        let edges = try edgeURLs.enumerated().map { index, url in
            try AdminConnection(url: url, token: nil, name: "edge-poll-\(index)")
        }
        defer { edges.forEach { $0.close() } }
        for edge in edges {
            try await waitUntilApplied(edge, head.sequence)
        }

        let published = Lock<[UInt64: Int64]>([:])
        let feedSamples = LatencySamples()
        let feed = try AdminConnection(url: feedURL, token: feedToken, name: "feed")
        defer { feed.close() }
        let handle = BenchLoad.watchCommits(feed, token: feedToken, after: head) {
            changes, committedAt, now in
            published.withLock { table in
                for change in changes {
                    table[change] = committedAt
                }
            }
            for _ in changes {
                feedSamples.add(now - committedAt)
            }
        }
        defer { handle.cancel() }

        let pollers = readableBy == .poll ? edges.map {
            ReadinessPoller(edge: $0, from: head.sequence, committed: published)
        } : []
        pollers.forEach { $0.start() }
        let watchers = try await readableBy == .stream ? watchStreams() : []

        let achieved = try await BenchLoad.movePrices(
            admin, markets: markets, changesPerSecond: changesPerSecond, seconds: seconds)
        // Let the last changes arrive everywhere.
        let last = try await BenchLoad.originHead(admin).sequence
        for edge in edges {
            try await waitUntilApplied(edge, last)
        }
        pollers.forEach { $0.stop() }
        var edgeSamples = zip(edgeURLs, pollers).map { ($0, $1.samples) }
        if !watchers.isEmpty {
            try await Task.sleep(nanoseconds: 200_000_000)
            let times = published.withLock { $0 }
            edgeSamples = zip(edgeURLs, watchers).map { url, watcher in
                watcher.pool.stop()
                let samples = LatencySamples()
                for (sequence, arrived) in watcher.arrivals.withLock({ $0 }) {
                    if let committed = times[sequence] {
                        samples.add(arrived - committed)
                    }
                }
                return (url, samples)
            }
        }
        return Result(
            rate: changesPerSecond, achievedRate: achieved, feed: feedSamples, edges: edgeSamples)
    }

    /// One stream client per edge, following everything, ready (snapshot in) when this
    /// returns; each records when every change arrived, by sequence number.
    private func watchStreams() async throws
        -> [(pool: SSEClientPool, arrivals: Lock<[(UInt64, Int64)]>)]
    {
        var watchers: [(pool: SSEClientPool, arrivals: Lock<[(UInt64, Int64)]>)] = []
        for url in edgeURLs {
            guard let text = url.split(separator: ":").last, let port = UInt16(text) else {
                throw BenchError("\(url): expected http://127.0.0.1:PORT")
            }
            let arrivals = Lock<[(UInt64, Int64)]>([])
            let pool = SSEClientPool(threads: 1) { id, arrived in
                if let sequence = StreamEventID.parse(id)?.sequence {
                    arrivals.withLock { $0.append((sequence, arrived)) }
                }
            }
            pool.start()
            try pool.open([SSEClientPool.Target(port: port, path: "/v1/stream")])
            watchers.append((pool, arrivals))
        }
        let deadline = Date().addingTimeInterval(20)
        while watchers.contains(where: { $0.pool.progress.withEvent == 0 }) {
            guard Date() < deadline else { throw BenchError("an edge's stream did not start") }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        return watchers
    }

    private func appliedSequence(_ edge: AdminConnection) async throws -> UInt64 {
        let response = try await edge.send(.get, "/readyz")
        guard let value = try JSONParser.parse(response.body).objectValue?["appliedSequence"]?
            .int64Value
        else { throw BenchError("unexpected readiness document: \(response.text)") }
        return UInt64(value)
    }

    private func waitUntilApplied(_ edge: AdminConnection, _ sequence: UInt64) async throws {
        let deadline = Date().addingTimeInterval(60)
        while try await appliedSequence(edge) < sequence {
            guard Date() < deadline else { throw BenchError("an edge did not catch up") }
            try await Task.sleep(nanoseconds: 10_000_000)
        }
    }
}
