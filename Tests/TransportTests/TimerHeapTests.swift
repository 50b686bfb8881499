import Testing
@testable import Transport

/// The heap of an event loop's timers, driven directly (no loop, no clock).
@Suite struct TimerHeapTests {
    @Test func dueTimersComeOutInDeadlineOrderAndCancelledOnesNever() {
        var heap = TimerHeap()
        var fired: [Int] = []
        for (id, deadline) in [(1, 30), (2, 10), (3, 20), (4, 40)] {
            heap.insert(deadline: UInt64(deadline), id: UInt64(id)) { fired.append(id) }
        }
        heap.cancel(id: 3)
        while let task = heap.popDue(now: 35) { task() }
        #expect(fired == [2, 1])
        #expect(heap.count == 1)
        while let task = heap.popDue(now: 40) { task() }
        #expect(fired == [2, 1, 4])
        #expect(heap.count == 0)
    }

    /// Request timeouts: every request arms one and almost every one is cancelled long
    /// before it is due. The entries held must stay near the number still pending, or a
    /// client sending thousands of requests a second piles up a timeout's worth of them
    /// (30 s of requests) and stalls its loop each time the storage doubles.
    @Test func cancelledTimersDoNotPileUpBehindAnEarlierOne() {
        var heap = TimerHeap()
        heap.insert(deadline: 1_000, id: 0) {}  // an earlier timer that stays pending
        for id in UInt64(1)...100_000 {
            heap.insert(deadline: 5_000 + id, id: id) {}
            if id > 50 {
                heap.cancel(id: id - 50)  // 50 requests in flight at a time
            }
            #expect(heap.storedEntries <= 256, "stored \(heap.storedEntries) at \(id)")
            if heap.storedEntries > 256 { return }
        }
        #expect(heap.count == 51)
        var fired = 0
        while heap.popDue(now: .max) != nil { fired += 1 }
        #expect(fired == 51)
    }

    @Test func aCompactedHeapStillFiresInDeadlineOrder() {
        var heap = TimerHeap()
        var fired: [UInt64] = []
        // Deadlines out of order, most cancelled, so compaction rebuilds a shuffled heap.
        let ids = (UInt64(1)...2_000).map { ($0 * 7_919) % 2_003 }
        for id in ids {
            heap.insert(deadline: id, id: id) { fired.append(id) }
        }
        for id in ids where id % 10 != 0 {
            heap.cancel(id: id)
        }
        while let task = heap.popDue(now: .max) { task() }
        #expect(fired == ids.filter { $0 % 10 == 0 }.sorted())
    }
}
