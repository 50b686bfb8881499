import OddsModel
import Store
import TestSupport
import Testing

@testable import OddsOrigin

/// Idempotency records through the origin's tables: stored in creation order, found through
/// the index rebuilt from the store, trimmed by age, and records of older stores (kept
/// whole under their key) still found and trimmed.
@Suite struct IdempotencyStoreTests {
    private static func refusal(_ text: String) -> BetAnswer {
        BetAnswer(status: 409, body: Array(#"{"reason":"\#(text)"}"#.utf8))
    }

    private static func record(_ name: String, at micros: Int64) -> IdempotencyRecord {
        IdempotencyRecord(
            key: IdempotencyRecord.key(accountID: "acct", idempotencyKey: name),
            fingerprint: UInt64(name.utf8.count), createdAtMicros: micros,
            answer: refusal(name))
    }

    private static func withTables<Result>(
        _ body: (StoreEnvironment, MoneyTables) throws -> Result
    ) throws -> Result {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = try StoreEnvironment(
            directory: directory.path, configuration: StoreConfiguration())
        return try withExtendedLifetime(environment) {
            try body(environment, try MoneyTables(environment))
        }
    }

    private static func index(_ environment: StoreEnvironment, _ tables: MoneyTables) throws
        -> IdempotencyIndex
    {
        var index = IdempotencyIndex()
        try environment.read { try tables.load(into: &index, $0) }
        return index
    }

    private static func find(
        _ key: [UInt8], _ index: IdempotencyIndex, _ environment: StoreEnvironment,
        _ tables: MoneyTables
    ) throws -> IdempotencyRecord? {
        try environment.read {
            try tables.idempotencyRecord(
                key, createdAtCandidates: index.candidates(key), $0)
        }
    }

    @Test func recordsAreFoundThroughTheIndexRebuiltFromTheStore() throws {
        try Self.withTables { environment, tables in
            var writes = BetWrites()
            writes.idempotency = [
                Self.record("k1", at: 1_000), Self.record("k2", at: 1_000),
                Self.record("k3", at: 2_000),
            ]
            // An accepted bet's record holds the bet's number; its answer is the bet's.
            let bet = Bet(
                number: 1, accountID: "acct", marketID: "m1", selectionID: "s1",
                price: try Price(parsing: "2.5"), stakeMinor: 1_000, placedAtMicros: 2_000)
            writes.bets[1] = bet
            writes.idempotency.append(IdempotencyRecord(
                key: IdempotencyRecord.key(accountID: "acct", idempotencyKey: "won"),
                fingerprint: 9, createdAtMicros: 2_000, answer: .accepted(bet),
                acceptedBetNumber: 1))
            try environment.write { try tables.store(writes, firstAuditNumber: 1, $0) }

            let index = try Self.index(environment, tables)
            #expect(index.count == 4)
            for record in writes.idempotency {
                #expect(try Self.find(record.key, index, environment, tables) == record)
            }
            let unknown = IdempotencyRecord.key(accountID: "acct", idempotencyKey: "k4")
            #expect(try Self.find(unknown, index, environment, tables) == nil)
            // A key of another account is another key.
            let other = IdempotencyRecord.key(accountID: "acct2", idempotencyKey: "k1")
            #expect(try Self.find(other, index, environment, tables) == nil)
        }
    }

    @Test func aCandidateTimeThatHoldsAnotherKeyFindsNothing() throws {
        try Self.withTables { environment, tables in
            var writes = BetWrites()
            writes.idempotency = [Self.record("k1", at: 1_000)]
            try environment.write { try tables.store(writes, firstAuditNumber: 1, $0) }
            let key = IdempotencyRecord.key(accountID: "acct", idempotencyKey: "k2")
            let found = try environment.read {
                try tables.idempotencyRecord(key, createdAtCandidates: [1_000, 5], $0)
            }
            #expect(found == nil)
        }
    }

    @Test func trimmingDeletesTheOldRecordsOnlyAndSaysWhich() throws {
        try Self.withTables { environment, tables in
            var writes = BetWrites()
            writes.idempotency = (1...5).map { Self.record("k\($0)", at: Int64($0) * 100) }
            try environment.write { try tables.store(writes, firstAuditNumber: 1, $0) }
            var index = try Self.index(environment, tables)

            let removed = try environment.write { try tables.trimIdempotency(before: 300, $0) }
            #expect(removed.map(\.createdAtMicros) == [100, 200])
            #expect(removed.map(\.key) == writes.idempotency[0..<2].map(\.key))
            for record in removed {
                index.remove(record.key, createdAtMicros: record.createdAtMicros)
            }
            #expect(index.count == 3)
            #expect(try Self.index(environment, tables).count == 3)
            for (offset, record) in writes.idempotency.enumerated() {
                let found = try Self.find(record.key, index, environment, tables)
                #expect(found == (offset < 2 ? nil : record))
            }
        }
    }

    @Test func recordsOfAnOlderStoreAreFoundAndTrimmed() throws {
        try Self.withTables { environment, tables in
            // Stores written before kept each record under its key, and an empty value in
            // creation order.
            let old = Self.record("old", at: 100)
            let new = Self.record("new", at: 500)
            try environment.write { txn in
                try txn.put(tables.idempotency, old.key, old.encoded)
                try txn.put(tables.idempotencyByAge, MoneyTables.ageKey(old.key, 100), [])
            }
            var writes = BetWrites()
            writes.idempotency = [new]
            try environment.write { try tables.store(writes, firstAuditNumber: 1, $0) }

            var index = try Self.index(environment, tables)
            #expect(try Self.find(old.key, index, environment, tables) == old)
            #expect(try Self.find(new.key, index, environment, tables) == new)

            let removed = try environment.write { try tables.trimIdempotency(before: 200, $0) }
            #expect(removed.map(\.key) == [old.key])
            index.remove(old.key, createdAtMicros: 100)
            #expect(try Self.find(old.key, index, environment, tables) == nil)
            let legacyLeft = try environment.read { try $0.get(tables.idempotency, old.key) }
            #expect(legacyLeft == nil)
        }
    }
}
