import OddsModel
import Testing
@testable import OddsEdge

@Suite struct StreamHistoryTests {
    private func item(_ sequence: UInt64, bytes: Int = 10, market: String = "m") -> StreamItem {
        StreamItem(
            kind: .market, sequence: sequence, id: market, eventID: "e", sport: "football",
            status: "open", publishedAtMicros: 0, frame: [UInt8](repeating: 1, count: bytes))
    }

    private func sequences(_ history: StreamHistory, after: UInt64) -> [UInt64]? {
        history.page(after: after, epoch: 7, filter: StreamFilter(), maxBytes: .max)?
            .items.map(\.sequence)
    }

    @Test func keepsTheLatestChangesInOrderUpToTheCount() {
        let history = StreamHistory(maxItems: 5, maxBytes: 1 << 20)
        history.reset(to: FeedPosition(epoch: 7, sequence: 100))
        history.append((101...112).map { item($0) })
        #expect(history.size.items == 5)
        #expect(history.head == FeedPosition(epoch: 7, sequence: 112))
        #expect(sequences(history, after: 107) == [108, 109, 110, 111, 112])
        #expect(sequences(history, after: 110) == [111, 112])
        #expect(sequences(history, after: 106) == nil, "108 is the oldest kept")
        #expect(history.covers(FeedPosition(epoch: 7, sequence: 107)))
        #expect(!history.covers(FeedPosition(epoch: 7, sequence: 106)))
        #expect(history.covers(FeedPosition(epoch: 7, sequence: 500)), "ahead: live follows")
        #expect(!history.covers(FeedPosition(epoch: 8, sequence: 110)), "another epoch")
    }

    @Test func dropsTheOldestForBytesAndGrowsBackInOrder() {
        let history = StreamHistory(maxItems: 100, maxBytes: 100)
        history.reset(to: FeedPosition(epoch: 7, sequence: 0))
        history.append((1...10).map { item($0, bytes: 10) })
        history.append([item(11, bytes: 50)])
        // 11's 50 bytes push out the five oldest.
        #expect(history.size.bytes <= 100)
        #expect(sequences(history, after: 5) == [6, 7, 8, 9, 10, 11])
        // Smaller items again: the ring grows past its old size and keeps its order.
        history.append((12...30).map { item($0, bytes: 1) })
        let kept = sequences(history, after: history.head.sequence - UInt64(history.size.items))
        #expect(kept == Array((31 - UInt64(history.size.items))...30))
        #expect(history.size.bytes <= 100)
    }

    @Test func aPageStopsAtItsByteBudgetAndFiltersBySubscription() {
        let history = StreamHistory(maxItems: 100, maxBytes: 1 << 20)
        history.reset(to: FeedPosition(epoch: 7, sequence: 0))
        history.append((1...10).map { item($0, bytes: 10, market: $0 % 2 == 0 ? "a" : "b") })
        let first = history.page(
            after: 0, epoch: 7, filter: StreamFilter(markets: ["a"]), maxBytes: 25)
        #expect(first?.items.map(\.sequence) == [2, 4, 6])
        #expect(first?.atHead == false)
        let rest = history.page(
            after: 6, epoch: 7, filter: StreamFilter(markets: ["a"]), maxBytes: 1000)
        #expect(rest?.items.map(\.sequence) == [8, 10])
        #expect(rest?.atHead == true)
    }
}
