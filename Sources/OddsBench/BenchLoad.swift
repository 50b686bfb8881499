import Foundation
import JSON
import Locks
import OddsModel
import Transport

/// What the benchmarks share: a card of markets, the origin's head, the commit time of
/// every change (from a feed stream of the bench's own), and a steady stream of price
/// changes.
enum BenchLoad {
    /// An event `bench` and `count` markets `bench-0`... with three selections each.
    static func createMarkets(_ admin: AdminConnection, count: Int) async throws {
        try await admin.expectOK(.put, "/v1/admin/events/bench", json: Array("""
            {"sport":"football","competition":"Benchmark","name":"Benchmark event",
             "startTime":"2026-12-05T15:00:00Z"}
            """.utf8))
        for index in 0..<count {
            let body = """
                {"event":"bench","type":"match_odds","name":"Benchmark \(index)","selections":[
                {"id":"home","name":"Home","price":"2.00"},
                {"id":"draw","name":"Draw","price":"3.50"},
                {"id":"away","name":"Away","price":"4.00"}]}
                """
            try await admin.expectOK(
                .put, "/v1/admin/markets/bench-\(index)", json: Array(body.utf8))
        }
    }

    static func originHead(_ admin: AdminConnection) async throws -> FeedPosition {
        let response = try await admin.expectOK(.get, "/v1/admin/status")
        guard let status = try JSONParser.parse(response.body).objectValue,
            let epoch = status["epoch"]?.stringValue.flatMap({ UInt64($0, radix: 16) }),
            let sequence = status["sequence"]?.int64Value
        else { throw BenchError("unexpected status document: \(response.text)") }
        return FeedPosition(epoch: epoch, sequence: UInt64(sequence))
    }

    /// A feed stream of the bench's own from `head` on: for every live batch, its sequence
    /// numbers, the moment the origin's commit of it completed, and the moment it arrived.
    /// Batches resent from the origin's log carry no commit time and are not reported.
    static func watchCommits(
        _ feed: AdminConnection, token: String, after head: FeedPosition,
        _ onBatch: @escaping @Sendable (_ sequences: [UInt64], _ committedAt: Int64,
                                        _ arrivedAt: Int64) -> Void
    ) -> HTTPClientStreamHandle {
        let decoder = Lock(FeedFrameDecoder())
        let path = "/v1/feed?edge=bench-feed&epoch=\(FeedPosition.hex(head.epoch))"
            + "&after=\(head.sequence)"
        let (handle, _) = feed.client.executeStreaming(
            HTTPClientRequest(
                method: .post, path: path, headers: ["authorization": "Bearer \(token)"]),
            handlers: HTTPClientStreamHandlers(
                onData: { bytes in
                    let now = WallClock.micros()
                    // Only the batches' numbers and commit times, not their changes: the
                    // bench shares the cores with what it measures.
                    let frames = decoder.withLock { decoder -> [FeedFrameSummary] in
                        decoder.append(bytes)
                        var frames: [FeedFrameSummary] = []
                        while let frame = try? decoder.nextSummary() {
                            frames.append(frame)
                        }
                        return frames
                    }
                    for case .batch(_, let committedAt, let first, let count) in frames
                    where committedAt > 0 && count > 0 {
                        onBatch(Array(first..<(first + UInt64(count))), committedAt, now)
                    }
                },
                onEnd: { _ in }))
        return handle
    }

    /// Sends price batches every 10 ms to hold `changesPerSecond` over markets `bench-N`
    /// for `seconds`; returns the rate achieved. Each change moves one market's home price
    /// one step along a ladder, so every change is a real one.
    static func movePrices(
        _ admin: AdminConnection, markets: Int, changesPerSecond: Int, seconds: Double
    ) async throws -> Double {
        try await paced(changesPerSecond: changesPerSecond, seconds: seconds) { sent, count in
            var writer = JSONWriter(capacity: count * 64)
            writer.beginObject()
            writer.key("prices")
            writer.beginArray()
            for item in sent..<(sent + count) {
                let step = (item / markets) % 400
                writer.beginObject()
                writer.key("market")
                writer.string("bench-\(item % markets)")
                writer.key("selection")
                writer.string("home")
                writer.key("price")
                writer.string(String(format: "%.2f", 2.02 + Double(step) / 100))
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            try await admin.expectOK(.post, "/v1/admin/prices", json: writer.bytes)
        }
    }

    /// Calls `send(sent, count)` every 10 ms with the next `count` of `changesPerSecond`
    /// for `seconds`, keeping to the clock (a late tick is not made up by a pause); returns
    /// the rate achieved.
    static func paced(
        changesPerSecond: Int, seconds: Double,
        _ send: (_ sent: Int, _ count: Int) async throws -> Void
    ) async throws -> Double {
        let interval = 0.01
        let perBatch = max(1, Int(Double(changesPerSecond) * interval))
        let started = Date()
        var sent = 0
        var tick = 0
        while Date().timeIntervalSince(started) < seconds {
            try await send(sent, perBatch)
            sent += perBatch
            tick += 1
            let wait = started.addingTimeInterval(Double(tick) * interval).timeIntervalSinceNow
            if wait > 0 {
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
        return Double(sent) / Date().timeIntervalSince(started)
    }
}
