import Foundation
import JSON
import OddsModel

/// Moves prices like a trading feed: every tick a batch of selections moves a tick or two on
/// the ladder, now and then a market is suspended for a few seconds and resumed.
struct PriceSimulator {
    let admin: AdminConnection
    let changesPerSecond: Int
    let ticksPerSecond = 10

    func run(seconds: Double?) async throws {
        var prices = try await currentPrices()
        guard !prices.isEmpty else { throw BenchError("the origin has no open markets to move") }
        var generator = SystemRandomNumberGenerator()
        var suspended: [(market: String, until: Date)] = []
        let started = Date()
        var tick = 0
        while seconds.map({ Date().timeIntervalSince(started) < $0 }) ?? true {
            tick += 1
            let due = started.addingTimeInterval(Double(tick) / Double(ticksPerSecond))
            var batch: [(String, String, Price)] = []
            let size = max(1, changesPerSecond / ticksPerSecond)
            for _ in 0..<size {
                let index = Int(generator.next() % UInt64(prices.count))
                let ticks = Int(generator.next() % 5) - 2
                let moved = PriceLadder.move(prices[index].price, by: ticks == 0 ? 1 : ticks)
                prices[index].price = moved
                batch.append((prices[index].market, prices[index].selection, moved))
            }
            var writer = JSONWriter(capacity: batch.count * 64)
            writer.beginObject()
            writer.key("prices")
            writer.beginArray()
            for (market, selection, price) in batch {
                writer.beginObject()
                writer.key("market")
                writer.string(market)
                writer.key("selection")
                writer.string(selection)
                writer.key("price")
                writer.string(price.decimalText)
                writer.endObject()
            }
            writer.endArray()
            writer.endObject()
            let response = try await admin.send(.post, "/v1/admin/prices", json: writer.bytes)
            if response.status == 409 {
                // A market was closed under us: take the card again.
                prices = try await currentPrices()
            }

            if tick % (ticksPerSecond * 5) == 0, let pick = prices.randomElement() {
                try await admin.expectOK(.post, "/v1/admin/markets/\(pick.market)/suspend")
                suspended.append((pick.market, Date().addingTimeInterval(3)))
            }
            for entry in suspended where entry.until <= Date() {
                try await admin.expectOK(.post, "/v1/admin/markets/\(entry.market)/resume")
            }
            suspended.removeAll { $0.until <= Date() }
            let wait = due.timeIntervalSinceNow
            if wait > 0 {
                try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            }
        }
    }

    private func currentPrices() async throws
        -> [(market: String, selection: String, price: Price)]
    {
        let response = try await admin.expectOK(.get, "/v1/admin/markets?status=open")
        var prices: [(String, String, Price)] = []
        for market in try JSONParser.parse(response.body).arrayValue ?? [] {
            guard let object = market.objectValue, let id = object["id"]?.stringValue else {
                continue
            }
            for selection in object["selections"]?.arrayValue ?? [] {
                guard let fields = selection.objectValue,
                    let selectionID = fields["id"]?.stringValue,
                    let decimal = fields["price"]?.objectValue?["decimal"]?.stringValue,
                    let price = try? Price(parsing: decimal)
                else { continue }
                prices.append((id, selectionID, price))
            }
        }
        return prices
    }
}
