import OddsModel
import Store

/// The origin's LMDB tables: current events and markets, the delta log keyed by sequence
/// number, the meta record (epoch, last sequence number, last bet and audit numbers), and the
/// money: accounts, ledger, bets, idempotency records and the audit trail. Every
/// method that writes runs on the sequencer thread; reads may come from any thread.
final class OriginStore: @unchecked Sendable {
    // @unchecked: the environment is thread-safe for reads (MDB_NOTLS); writes come from the
    // sequencer thread only, which StoreEnvironment checks.
    let environment: StoreEnvironment
    private let meta: StoreTable
    private let events: StoreTable
    private let markets: StoreTable
    private let log: StoreTable
    let money: MoneyTables

    private static let epochKey = Array("epoch".utf8)
    private static let sequenceKey = Array("sequence".utf8)

    /// What was found on disk at start.
    struct Loaded {
        var book: OriginBook
        var position: FeedPosition
        /// The oldest change still in the log; `position.sequence + 1` when it is empty.
        var logFirstSequence: UInt64
        var epochIsNew: Bool
        var bets: BetBook
        var lastAuditNumber: UInt64
        var idempotency: IdempotencyIndex
    }

    init(directory: String, configuration: StoreConfiguration) throws {
        environment = try StoreEnvironment(directory: directory, configuration: configuration)
        meta = try environment.table("meta")
        events = try environment.table("events")
        markets = try environment.table("markets")
        log = try environment.table("log")
        money = try MoneyTables(environment)
    }

    /// Reads the whole state. A store without an epoch gets a fresh one; `newEpoch` forces
    /// one and empties the log (after a restore from a backup, whose history edges may have
    /// seen past). Throws a store error, or a wire error when a record does not decode.
    func load(newEpoch: Bool) throws -> Loaded {
        var book = OriginBook()
        var position = FeedPosition.empty
        var logFirst: UInt64 = 0
        var bets = BetBook()
        var lastAudit: UInt64 = 0
        var idempotency = IdempotencyIndex()
        try environment.read { txn in
            try txn.forEach(events) { _, value in
                book.load(try Event(wireBytes: value))
                return true
            }
            try txn.forEach(markets) { _, value in
                book.load(try Market(wireBytes: value))
                return true
            }
            let unsettled = book.markets.values.filter { !$0.status.isFinal }.map(\.id)
            lastAudit = try money.load(into: &bets, unsettledMarkets: unsettled, txn)
            try money.load(into: &idempotency, txn)
            position.epoch = try txn.get(meta, Self.epochKey).flatMap(Self.uint64) ?? 0
            position.sequence = try txn.get(meta, Self.sequenceKey).flatMap(Self.uint64) ?? 0
            logFirst = try txn.first(log).flatMap { Self.uint64($0.key) } ?? 0
        }
        let fresh = position.epoch == 0 || newEpoch
        if fresh {
            position.epoch = Self.randomEpoch(excluding: position.epoch)
            let epoch = position.epoch
            try environment.write { txn in
                try txn.clear(log)
                try txn.put(meta, Self.epochKey, StoreKey.uint64(epoch))
            }
            logFirst = 0
        }
        if logFirst == 0 {
            logFirst = position.sequence + 1
        }
        return Loaded(
            book: book, position: position, logFirstSequence: logFirst, epochIsNew: fresh,
            bets: bets, lastAuditNumber: lastAudit, idempotency: idempotency)
    }

    /// Stores `changes` (numbered consecutively, ending at `position.sequence`) and `writes`
    /// in one transaction with the new last sequence number, and commits (durably, by the
    /// store's configuration). Throws when the commit fails; nothing is stored then.
    func commit(
        _ changes: [Change], encoded: [[UInt8]], position: FeedPosition, writes: BetWrites,
        firstAuditNumber: UInt64
    ) throws {
        try environment.write { txn in
            try money.store(writes, firstAuditNumber: firstAuditNumber, txn)
            for (change, bytes) in zip(changes, encoded) {
                // A change's encoding is its sequence number, publish time and kind, then the
                // entity's own encoding: store that tail rather than encode it again.
                let entity = Array(bytes[Change.headerBytes...])
                switch change.body {
                case .event(let event):
                    try txn.put(events, Array(event.id.utf8), entity)
                case .market(let market):
                    try txn.put(markets, Array(market.id.utf8), entity)
                }
                try txn.put(log, StoreKey.uint64(change.sequence), bytes)
            }
            try txn.put(meta, Self.sequenceKey, StoreKey.uint64(position.sequence))
        }
    }

    /// Hands the encoded changes after `sequence` to `body`, in order, until it returns
    /// false or the log ends.
    func readLog(after sequence: UInt64, _ body: (UnsafeRawBufferPointer) -> Bool) throws {
        try environment.read { txn in
            try txn.forEach(log, from: StoreKey.uint64(sequence + 1)) { _, value in
                body(value)
            }
        }
    }

    /// Deletes the log's changes numbered below `sequence`. Returns how many went.
    func trimLog(below sequence: UInt64) throws -> Int {
        try environment.write { txn in
            try txn.deleteAll(log, below: StoreKey.uint64(sequence))
        }
    }

    /// The sequence number of the first logged change published at or after `micros`, or nil
    /// when every logged change is older.
    func firstSequence(publishedAtOrAfter micros: Int64) throws -> UInt64? {
        var found: UInt64?
        try environment.read { txn in
            try txn.forEach(log) { key, value in
                var reader = WireReader(value)
                _ = try reader.uint64()
                if try reader.int64() >= micros {
                    found = StoreKey.uint64(from: key)
                    return false
                }
                return true
            }
        }
        return found
    }

    private static func uint64(_ bytes: [UInt8]) -> UInt64? {
        bytes.withUnsafeBytes { StoreKey.uint64(from: $0) }
    }

    private static func randomEpoch(excluding old: UInt64) -> UInt64 {
        var epoch: UInt64 = 0
        while epoch == 0 || epoch == old {
            epoch = UInt64.random(in: 1...UInt64.max)
        }
        return epoch
    }
}
