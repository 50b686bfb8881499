import Foundation
import TestSupport

/// Moves prices at the origin at about `rate` changes per second until stopped, every one a
/// real change (each market's home price walks a ladder), like a trading feed.
final class PriceFeed: @unchecked Sendable {
    // @unchecked: `task` is set once by start and read by stop, both from the test's task.
    private let origin: OriginNode
    private let markets: Int
    private let rate: Int
    private var task: Task<Int, Error>?

    init(origin: OriginNode, markets: Int, rate: Int) {
        self.origin = origin
        self.markets = markets
        self.rate = rate
    }

    func start() {
        let (origin, markets, rate) = (origin, markets, rate)
        task = Task {
            let tick = 0.05
            let perTick = max(1, Int(Double(rate) * tick))
            var sent = 0
            let started = Date()
            while !Task.isCancelled {
                let items = (0..<perTick).map { offset -> String in
                    let index = sent + offset
                    let step = (index / markets) % 400
                    let price = String(format: "%.2f", 2.0 + Double(step) / 100)
                    return "{\"market\":\"m\(index % markets)\",\"selection\":\"home\","
                        + "\"price\":\"\(price)\"}"
                }
                try expectOK(try await origin.request(
                    .post, "/v1/admin/prices",
                    json: "{\"prices\":[\(items.joined(separator: ","))]}"))
                sent += perTick
                // Keep to the rate: wait for the next tick's start, not a fixed pause.
                let due = started.addingTimeInterval(Double(sent / perTick) * tick)
                let wait = due.timeIntervalSinceNow
                if wait > 0 {
                    try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                }
            }
            return sent
        }
    }

    /// Stops the feed; returns how many prices it set.
    @discardableResult
    func stop() async throws -> Int {
        task?.cancel()
        return try await task?.value ?? 0
    }
}
