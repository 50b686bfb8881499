import OddsModel
import Store

/// The origin's tables for money: accounts, the ledger, bets and their per-market index,
/// settlements, idempotency records (in creation order) and the audit trail.
///
/// Keys that start with an account or market id put a zero byte after it (ids never hold
/// one), so an account's entries sort together and in number order.
///
/// A bet writes only what its lookups need: every random insert is pages written on every
/// commit, and those pages are most of the origin's work per bet. So an account's bets are
/// found through its ledger (each bet's stake is an entry naming it), and the open liability
/// per account and market is not stored at all: it is the sum over the open bets, which are
/// all on markets not yet settled, and is worked out from them at start. Idempotency
/// records are stored in creation order and found through `IdempotencyIndex`. Stores
/// written before kept both (`account_bets`, `exposures`), and idempotency records under
/// their key (`idempotency`, still read for the records it holds); those tables are no
/// longer written.
struct MoneyTables: Sendable {
    let meta: StoreTable
    let accounts: StoreTable
    let ledger: StoreTable
    let bets: StoreTable
    let marketBets: StoreTable
    let settlements: StoreTable
    let idempotency: StoreTable
    let idempotencyByAge: StoreTable
    let audit: StoreTable

    private static let betNumberKey = Array("betNumber".utf8)
    private static let auditNumberKey = Array("auditNumber".utf8)

    init(_ environment: StoreEnvironment) throws {
        meta = try environment.table("meta")
        accounts = try environment.table("accounts")
        ledger = try environment.table("ledger")
        bets = try environment.table("bets")
        marketBets = try environment.table("market_bets")
        settlements = try environment.table("settlements")
        idempotency = try environment.table("idempotency")
        idempotencyByAge = try environment.table("idempotency_by_age")
        audit = try environment.table("audit")
    }

    /// Fills `book` with the stored accounts, the open liabilities (from the open bets on
    /// the markets in `unsettledMarkets`) and the last bet number. Returns the last audit
    /// number.
    func load(
        into book: inout BetBook, unsettledMarkets: [String],
        _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> UInt64 {
        try txn.forEach(accounts) { _, value in
            book.load(try Account(wireBytes: value))
            return true
        }
        for market in unsettledMarkets {
            for bet in try bets(ofMarket: market, txn) where bet.status == .open {
                book.load(openBet: bet)
            }
        }
        book.load(lastBetNumber: try txn.get(meta, Self.betNumberKey)
            .flatMap(StoreKey.uint64(from:)) ?? 0)
        return try txn.get(meta, Self.auditNumberKey).flatMap(StoreKey.uint64(from:)) ?? 0
    }

    /// Stores one group's writes; audit lines are numbered from `firstAuditNumber`.
    func store(
        _ writes: BetWrites, firstAuditNumber: UInt64, _ txn: borrowing WriteTransaction
    ) throws {
        guard !writes.isEmpty else { return }
        for (id, account) in writes.accounts {
            try txn.put(accounts, Array(id.utf8), account.wireBytes)
        }
        for entry in writes.ledger {
            try txn.put(ledger, Self.key(entry.accountID, entry.number), entry.wireBytes)
        }
        for (number, bet) in writes.bets {
            try txn.put(bets, StoreKey.uint64(number), bet.wireBytes)
            try txn.put(marketBets, Self.key(bet.marketID, number), [])
        }
        for (market, settlement) in writes.settlements {
            if let settlement {
                try txn.put(settlements, Array(market.utf8), settlement.wireBytes)
            } else {
                _ = try txn.delete(settlements, Array(market.utf8))
            }
        }
        if let last = writes.lastBetNumber {
            try txn.put(meta, Self.betNumberKey, StoreKey.uint64(last))
        }
        for record in writes.idempotency {
            try txn.put(
                idempotencyByAge, Self.ageKey(record.key, record.createdAtMicros),
                record.encoded)
        }
        for (offset, line) in writes.audit.enumerated() {
            try txn.put(audit, StoreKey.uint64(firstAuditNumber + UInt64(offset)), line)
        }
        if !writes.audit.isEmpty {
            try txn.put(
                meta, Self.auditNumberKey,
                StoreKey.uint64(firstAuditNumber + UInt64(writes.audit.count) - 1))
        }
    }

    /// Deletes idempotency records created before `cutoffMicros`, at most `trimBatch` of
    /// them. Returns the keys and creation times of those it deleted.
    func trimIdempotency(before cutoffMicros: Int64, _ txn: borrowing WriteTransaction)
        throws -> [(key: [UInt8], createdAtMicros: Int64)]
    {
        var expired: [(ageKey: [UInt8], legacy: Bool)] = []
        try txn.forEach(idempotencyByAge) { key, value in
            guard let created = Self.createdAtMicros(ofAgeKey: key),
                created < cutoffMicros
            else { return false }
            expired.append((Array(key), value.isEmpty))
            return expired.count < Self.trimBatch
        }
        var removed: [(key: [UInt8], createdAtMicros: Int64)] = []
        removed.reserveCapacity(expired.count)
        for (ageKey, legacy) in expired {
            _ = try txn.delete(idempotencyByAge, ageKey)
            let key = Array(ageKey[8...])
            if legacy {
                _ = try txn.delete(idempotency, key)
            }
            let created = ageKey.withUnsafeBytes { Self.createdAtMicros(ofAgeKey: $0) } ?? 0
            removed.append((key, created))
        }
        return removed
    }

    /// Adds every stored idempotency record to `index`.
    func load(
        into index: inout IdempotencyIndex, _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws {
        try txn.forEach(idempotencyByAge) { key, _ in
            guard let created = Self.createdAtMicros(ofAgeKey: key) else {
                throw WireError.invalid("an idempotency record's key is \(key.count) bytes")
            }
            index.insert(Array(key[8...]), createdAtMicros: created)
            return true
        }
    }

    /// At most this many records go in one trim, so a trim never holds the writer long.
    static let trimBatch = 10_000

    // MARK: Reads

    /// The record stored under `key` with one of the creation times `candidates` (the
    /// index's answer), or nil.
    func idempotencyRecord(
        _ key: [UInt8], createdAtCandidates candidates: [Int64],
        _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> IdempotencyRecord? {
        for created in candidates {
            let found = try txn.withValue(idempotencyByAge, Self.ageKey(key, created)) { value in
                // Records stored before 2026-12-04 (evening) are kept whole under their key
                // alone, with an empty value here.
                value.isEmpty
                    ? try legacyIdempotencyRecord(key, txn)
                    : try IdempotencyRecord(key: key, encoded: value) { try accepted($0, txn) }
            }
            if let record = found.flatMap({ $0 }) { return record }
        }
        return nil
    }

    private func legacyIdempotencyRecord(
        _ key: [UInt8], _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> IdempotencyRecord? {
        try txn.withValue(idempotency, key) { value in
            try IdempotencyRecord(key: key, encoded: value) { try accepted($0, txn) }
        }
    }

    private func accepted(
        _ number: UInt64, _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> BetAnswer {
        guard let bet = try bet(number, txn) else {
            throw WireError.invalid("idempotency record of a missing bet b\(number)")
        }
        return .accepted(bet)
    }

    func account(_ id: String, _ txn: borrowing some ReadableTransaction & ~Copyable) throws
        -> Account?
    {
        try txn.withValue(accounts, Array(id.utf8)) { try Account(wireBytes: $0) }
    }

    func bet(_ number: UInt64, _ txn: borrowing some ReadableTransaction & ~Copyable) throws
        -> Bet?
    {
        try txn.withValue(bets, StoreKey.uint64(number)) { try Bet(wireBytes: $0) }
    }

    /// Every bet on the market, in number order.
    func bets(
        ofMarket id: String, _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> [Bet] {
        var found: [Bet] = []
        for number in try numbers(in: marketBets, under: id, txn) {
            if let bet = try self.bet(number, txn) { found.append(bet) }
        }
        return found
    }

    func settlement(
        ofMarket id: String, _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> Settlement? {
        try txn.withValue(settlements, Array(id.utf8)) { try Settlement(wireBytes: $0) }
    }

    /// The numbers listed in an index table under `id`, in order.
    private func numbers(
        in table: StoreTable, under id: String,
        _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> [UInt64] {
        var numbers: [UInt64] = []
        let prefix = Array(id.utf8) + [0]
        try txn.forEach(table, from: prefix) { key, _ in
            guard key.count == prefix.count + 8, key.starts(with: prefix) else { return false }
            numbers.append(StoreKey.uint64(from: UnsafeRawBufferPointer(
                rebasing: key[prefix.count...])) ?? 0)
            return true
        }
        return numbers
    }

    /// The account's bets, newest first, at most `limit`: the bets its stake entries name,
    /// walking its ledger back from the newest entry.
    func bets(
        ofAccount id: String, limit: Int, _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> [Bet] {
        var found: [Bet] = []
        guard limit > 0 else { return found }
        let prefix = Array(id.utf8) + [0]
        try txn.forEachDescending(ledger, from: Self.key(id, .max)) { key, value in
            guard key.count == prefix.count + 8, key.starts(with: prefix) else { return false }
            let entry = try LedgerEntry(wireBytes: value)
            guard entry.kind == .stake else { return true }
            guard let number = Bet.number(fromID: entry.reference),
                let bet = try self.bet(number, txn)
            else { throw WireError.invalid("stake entry of a missing bet \(entry.reference)") }
            found.append(bet)
            return found.count < limit
        }
        return found
    }

    /// The account's ledger entries from number `from` on, at most `limit`.
    func ledger(
        ofAccount id: String, from: UInt64, limit: Int,
        _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        let prefix = Array(id.utf8) + [0]
        try txn.forEach(ledger, from: Self.key(id, from)) { key, value in
            guard key.count == prefix.count + 8, key.starts(with: prefix) else { return false }
            entries.append(try LedgerEntry(wireBytes: value))
            return entries.count < limit
        }
        return entries
    }

    static func key(_ id: String, _ number: UInt64) -> [UInt8] {
        Array(id.utf8) + [0] + StoreKey.uint64(number)
    }

    /// An idempotency record's key in creation order: the time, then the record's key.
    static func ageKey(_ key: [UInt8], _ createdAtMicros: Int64) -> [UInt8] {
        StoreKey.uint64(UInt64(bitPattern: createdAtMicros)) + key
    }

    private static func createdAtMicros(ofAgeKey key: UnsafeRawBufferPointer) -> Int64? {
        guard key.count > 8 else { return nil }
        return StoreKey.uint64(from: UnsafeRawBufferPointer(rebasing: key[0..<8]))
            .map { Int64(bitPattern: $0) }
    }
}
