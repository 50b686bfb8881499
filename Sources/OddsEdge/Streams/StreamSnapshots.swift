import JSON
import OddsModel
import Store

/// Reads what a stream client subscribed to, as it stands in the store, in one read
/// transaction: the `snapshot` event a stream starts with, and the position it stands at.
struct StreamSnapshots: Sendable {
    let store: EdgeStore

    /// The documents gathered for one snapshot; each market once.
    private struct Gathered {
        var events: [[UInt8]] = []
        var markets: [[UInt8]] = []
        var marketIDs: Set<[UInt8]> = []
    }

    /// The snapshot event for `filter`: `{"events":[...],"markets":[...]}` with the store's
    /// position as its id.
    func read(_ filter: StreamFilter) throws -> (position: FeedPosition, frame: [UInt8]) {
        try store.environment.read { txn in
            let position = try store.cursor(in: txn).position
            var gathered = Gathered()
            if filter.isEverything {
                try everything(txn, into: &gathered)
            } else {
                try subscribed(filter, txn, into: &gathered)
            }
            var writer = JSONWriter(
                capacity: 64 + (gathered.events.count + gathered.markets.count) * 600)
            writer.beginObject()
            writer.key("events")
            writer.beginArray()
            for event in gathered.events {
                writer.raw(event)
            }
            writer.endArray()
            writer.key("markets")
            writer.beginArray()
            for market in gathered.markets {
                writer.raw(market)
            }
            writer.endArray()
            writer.endObject()
            return (position, ServerSentEvent.frame(
                id: StreamEventID.text(position), event: "snapshot", data: writer.bytes))
        }
    }

    private func everything(_ txn: borrowing ReadTransaction, into gathered: inout Gathered)
        throws
    {
        try txn.forEach(store.events) { _, record in
            if let header = EdgeRecord.header(record) {
                gathered.events.append(Array(EdgeRecord.json(record, header)))
            }
            return true
        }
        try txn.forEach(store.markets) { _, record in
            if let header = EdgeRecord.header(record) {
                gathered.markets.append(Array(EdgeRecord.json(record, header)))
            }
            return true
        }
    }

    private func subscribed(
        _ filter: StreamFilter, _ txn: borrowing ReadTransaction, into gathered: inout Gathered
    ) throws {
        var eventKeys: [[UInt8]] = []
        if !filter.sports.isEmpty {
            try txn.forEach(store.events) { key, record in
                if let header = EdgeRecord.header(record),
                    let event = try? Event(wireBytes: EdgeRecord.wire(record, header)),
                    filter.sports.contains(event.sport)
                {
                    eventKeys.append(Array(key))
                }
                return true
            }
        }
        eventKeys += filter.events.sorted().map { Array($0.utf8) }
        var seenEvents: Set<[UInt8]> = []
        for key in eventKeys where seenEvents.insert(key).inserted {
            let json = try txn.withValue(store.events, key) { record in
                EdgeRecord.header(record).map { Array(EdgeRecord.json(record, $0)) }
            }
            guard let json = json ?? nil else { continue }
            gathered.events.append(json)
            let prefix = key + [0]
            var marketKeys: [[UInt8]] = []
            try txn.forEach(store.eventMarkets, from: prefix) { indexKey, _ in
                guard indexKey.starts(with: prefix) else { return false }
                marketKeys.append(Array(indexKey[prefix.count...]))
                return true
            }
            for market in marketKeys {
                try addMarket(market, txn, into: &gathered)
            }
        }
        for id in filter.markets.sorted() {
            try addMarket(Array(id.utf8), txn, into: &gathered)
        }
    }

    private func addMarket(
        _ key: [UInt8], _ txn: borrowing ReadTransaction, into gathered: inout Gathered
    ) throws {
        guard gathered.marketIDs.insert(key).inserted else { return }
        let json = try txn.withValue(store.markets, key) { record in
            EdgeRecord.header(record).map { Array(EdgeRecord.json(record, $0)) }
        }
        if let json = json ?? nil {
            gathered.markets.append(json)
        }
    }
}
