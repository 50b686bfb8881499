import Testing

@testable import OddsOrigin

@Suite struct ShardedDictionaryTests {
    @Test func setsGetsAndRemovesLikeADictionaryAndKeepsItsCount() {
        var sharded = ShardedDictionary<String, Int>()
        var plain: [String: Int] = [:]
        // Inserts, overwrites, removals of present and absent keys, defaults.
        for step in 0..<20_000 {
            let key = "account-\(step % 7_919)"
            switch step % 5 {
            case 0, 1:
                sharded[key] = step
                plain[key] = step
            case 2:
                sharded[key, default: 0] += 3
                plain[key, default: 0] += 3
            case 3:
                sharded[key] = nil
                plain[key] = nil
            default:
                #expect(sharded[key] == plain[key])
            }
            if sharded.count != plain.count {
                Issue.record("count \(sharded.count) against \(plain.count) at step \(step)")
                return
            }
        }
        for (key, value) in plain {
            #expect(sharded[key] == value)
        }
        #expect(sharded["never"] == nil)
        #expect(!sharded.isEmpty)
    }

    /// The point of it: no shard holds much more than its share, so none has much to move
    /// when it doubles.
    @Test func entriesAreSpreadOverTheShards() {
        var sharded = ShardedDictionary<BetBook.Exposure, Int64>()
        for account in 0..<500 {
            for market in 0..<200 {
                sharded[BetBook.Exposure(accountID: "a\(account)", marketID: "m\(market)")] = 1
            }
        }
        #expect(sharded.count == 100_000)
        let share = 100_000 / ShardedDictionary<BetBook.Exposure, Int64>.shardCount
        #expect(sharded.largestShard <= share * 2, "largest shard \(sharded.largestShard)")
    }
}
