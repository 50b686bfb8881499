import Testing

@testable import OddsOrigin

@Suite struct IdempotencyIndexTests {
    private func key(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aNewKeyHasNoCandidatesAndAStoredOneHasItsTime() {
        var index = IdempotencyIndex()
        #expect(index.candidates(key("a\u{0}k1")).isEmpty)
        index.insert(key("a\u{0}k1"), createdAtMicros: 100)
        index.insert(key("a\u{0}k2"), createdAtMicros: 200)
        #expect(index.candidates(key("a\u{0}k1")) == [100])
        #expect(index.candidates(key("a\u{0}k2")) == [200])
        #expect(index.count == 2)
        index.remove(key("a\u{0}k1"), createdAtMicros: 100)
        #expect(index.candidates(key("a\u{0}k1")).isEmpty)
        #expect(index.candidates(key("a\u{0}k2")) == [200])
        #expect(index.count == 1)
    }

    @Test func keysSharingAHashAreEachFoundAndRemovedExactly() {
        // Every key hashes alike: the second and third are kept whole.
        var index = IdempotencyIndex(hash: { _ in 7 })
        index.insert(key("first"), createdAtMicros: 10)
        index.insert(key("second"), createdAtMicros: 20)
        index.insert(key("third"), createdAtMicros: 10)
        #expect(index.candidates(key("first")) == [10])
        #expect(index.candidates(key("second")) == [20, 10])
        #expect(index.candidates(key("third")) == [10, 10])
        // A key never stored gets the hash's holder to try, which the store will not hold
        // under this key.
        #expect(index.candidates(key("never")) == [10])
        #expect(index.count == 3)

        index.remove(key("third"), createdAtMicros: 10)
        #expect(index.candidates(key("first")) == [10])
        #expect(index.candidates(key("third")) == [10])
        index.remove(key("first"), createdAtMicros: 10)
        #expect(index.candidates(key("first")).isEmpty)
        #expect(index.candidates(key("second")) == [20])
        index.remove(key("second"), createdAtMicros: 20)
        #expect(index.count == 0)
    }

    @Test func removingWithAnotherTimeLeavesTheRecord() {
        var index = IdempotencyIndex()
        index.insert(key("k"), createdAtMicros: 5)
        index.remove(key("k"), createdAtMicros: 6)
        #expect(index.candidates(key("k")) == [5])
    }

    /// A million records must not sit in one dictionary: its doubling stalled bets for
    /// 31 ms. Spread by the seeded hash, no shard holds much more than its share.
    @Test func recordsAreSpreadSoNoOneDictionaryHoldsThemAll() {
        var index = IdempotencyIndex()
        let records = 200_000
        for number in 0..<records {
            index.insert(key("account-\(number % 100)\u{0}bet-\(number)"),
                createdAtMicros: Int64(number))
        }
        #expect(index.count == records)
        let share = records / ShardedDictionary<Int, Int64>.shardCount
        #expect(index.largestShard <= share * 2, "largest shard \(index.largestShard)")
        #expect(index.candidates(key("account-7\u{0}bet-107")) == [107])
    }
}
