import OddsModel
import Store

/// The edge's LMDB tables: markets and events as `EdgeRecord`s, an index of each event's
/// markets, and the cursor (the origin's epoch and the last sequence number applied), which
/// is written in the same transaction as the changes it covers.
final class EdgeStore: Sendable {
    let environment: StoreEnvironment
    let meta: StoreTable
    let markets: StoreTable
    let events: StoreTable
    /// Key: event id, 0, market id. Value: empty.
    let eventMarkets: StoreTable
    /// With `auditAppliedSequences`: key, a sequence number (big-endian); value, how many
    /// times it was applied (32-bit little-endian). Written in the same transaction as the
    /// change, so it proves exactly-once application across crashes.
    let appliedAudit: StoreTable

    private static let cursorKey = Array("cursor".utf8)

    init(directory: String, configuration: StoreConfiguration) throws {
        environment = try StoreEnvironment(directory: directory, configuration: configuration)
        meta = try environment.table("meta")
        markets = try environment.table("markets")
        events = try environment.table("events")
        eventMarkets = try environment.table("event_markets")
        appliedAudit = try environment.table("applied_audit")
    }

    /// The stored cursor and the publish time of its last change.
    func cursor() throws -> (position: FeedPosition, publishedAtMicros: Int64) {
        try environment.read { txn in try cursor(in: txn) }
    }

    /// The cursor as a read transaction sees it, with the data it covers.
    func cursor(in txn: borrowing ReadTransaction) throws
        -> (position: FeedPosition, publishedAtMicros: Int64)
    {
        let cursor = try txn.withValue(meta, Self.cursorKey) { raw in
            raw.count == 24
                ? (FeedPosition(
                    epoch: UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)),
                    sequence: UInt64(littleEndian: raw.loadUnaligned(
                        fromByteOffset: 8, as: UInt64.self))),
                   Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: Int64.self)))
                : nil
        }
        return (cursor ?? nil) ?? (.empty, 0)
    }

    /// Writes the cursor inside a write transaction.
    func putCursor(
        _ position: FeedPosition, publishedAtMicros: Int64, in txn: borrowing WriteTransaction
    ) throws {
        var writer = WireWriter(capacity: 24)
        writer.uint64(position.epoch)
        writer.uint64(position.sequence)
        writer.int64(publishedAtMicros)
        try txn.put(meta, Self.cursorKey, writer.bytes)
    }

    static func indexKey(event: String, market: String) -> [UInt8] {
        Array(event.utf8) + [0] + Array(market.utf8)
    }
}
