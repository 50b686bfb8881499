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

    struct Result {
        var rate: Int
        var achievedRate: Double
        var feed: LatencySamples
        var edges: [(String, LatencySamples)]
    }

    func run() async throws -> Result {
        try await createMarkets()
        let head = try await originHead()
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
        let handle = subscribe(feed, after: head, published: published, samples: feedSamples)
        defer { handle.cancel() }

        let pollers = edges.map {
            ReadinessPoller(edge: $0, from: head.sequence, committed: published)
        }
        pollers.forEach { $0.start() }

        let achieved = try await generateLoad()
        // Let the last changes arrive everywhere.
        let last = try await originHead().sequence
        for edge in edges {
            try await waitUntilApplied(edge, last)
        }
        pollers.forEach { $0.stop() }
        let edgeSamples = zip(edgeURLs, pollers).map { ($0, $1.samples) }
        return Result(
            rate: changesPerSecond, achievedRate: achieved, feed: feedSamples, edges: edgeSamples)
    }

    private func createMarkets() async throws {
        try await admin.expectOK(.put, "/v1/admin/events/bench", json: Array("""
            {"sport":"football","competition":"Benchmark","name":"Benchmark event",
             "startTime":"2026-12-05T15:00:00Z"}
            """.utf8))
        for index in 0..<markets {
            let body = """
                {"event":"bench","type":"match_odds","name":"Benchmark \(index)","selections":[
                {"id":"home","name":"Home","price":"2.00"},{"id":"draw","name":"Draw","price":"3.50"},
                {"id":"away","name":"Away","price":"4.00"}]}
                """
            try await admin.expectOK(.put, "/v1/admin/markets/bench-\(index)", json: Array(body.utf8))
        }
    }

    private func originHead() async throws -> FeedPosition {
        let response = try await admin.expectOK(.get, "/v1/admin/status")
        guard let status = try JSONParser.parse(response.body).objectValue,
            let epoch = status["epoch"]?.stringValue.flatMap({ UInt64($0, radix: 16) }),
            let sequence = status["sequence"]?.int64Value
        else { throw BenchError("unexpected status document: \(response.text)") }
        return FeedPosition(epoch: epoch, sequence: UInt64(sequence))
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

    /// A feed stream of our own, from the head on: (b), and the publish time of every change.
    private func subscribe(
        _ feed: AdminConnection, after head: FeedPosition, published: Lock<[UInt64: Int64]>,
        samples: LatencySamples
    ) -> HTTPClientStreamHandle {
        let decoder = Lock(FeedFrameDecoder())
        let path = "/v1/feed?edge=bench-feed&epoch=\(FeedPosition.hex(head.epoch))"
            + "&after=\(head.sequence)"
        let (handle, _) = feed.client.executeStreaming(
            HTTPClientRequest(
                method: .post, path: path, headers: ["authorization": "Bearer \(feedToken)"]),
            handlers: HTTPClientStreamHandlers(
                onData: { bytes in
                    let now = WallClock.micros()
                    let frames = decoder.withLock { decoder -> [FeedFrame] in
                        decoder.append(bytes)
                        var frames: [FeedFrame] = []
                        while let frame = try? decoder.next() {
                            frames.append(frame)
                        }
                        return frames
                    }
                    // Batches resent from the origin's log (committed before this stream
                    // began) carry no commit time and are not measured.
                    for case .batch(_, let committedAt, let changes) in frames
                    where committedAt > 0 {
                        published.withLock { table in
                            for change in changes {
                                table[change.sequence] = committedAt
                            }
                        }
                        for _ in changes {
                            samples.add(now - committedAt)
                        }
                    }
                },
                onEnd: { _ in }))
        return handle
    }

    /// Sends batches every 10 ms to hold `changesPerSecond`; returns the rate achieved.
    private func generateLoad() async throws -> Double {
        let interval = 0.01
        let perBatch = max(1, Int(Double(changesPerSecond) * interval))
        let started = Date()
        var sent = 0
        var batch = 0
        var tick = 0
        while Date().timeIntervalSince(started) < seconds {
            var writer = JSONWriter(capacity: perBatch * 64)
            writer.beginObject()
            writer.key("prices")
            writer.beginArray()
            for item in 0..<perBatch {
                let market = (sent + item) % markets
                writer.beginObject()
                writer.key("market")
                writer.string("bench-\(market)")
                writer.key("selection")
                writer.string("home")
                writer.key("price")
                // Alternate between two prices per pass over the markets: always a change.
                writer.string(((sent + item) / markets) % 2 == 0 ? "2.02" : "2.04")
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            try await admin.expectOK(.post, "/v1/admin/prices", json: writer.bytes)
            sent += perBatch
            batch += 1
            tick += 1
            let due = started.addingTimeInterval(Double(tick) * interval)
            let wait = due.timeIntervalSinceNow
            if wait > 0 {
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
        return Double(sent) / Date().timeIntervalSince(started)
    }
}
