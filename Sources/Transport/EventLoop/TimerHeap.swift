/// A min-heap of timers ordered by deadline, owned by one event loop.
struct TimerHeap {
    private struct Entry {
        let deadline: UInt64
        let id: UInt64
        let task: () -> Void
    }

    private var heap: [Entry] = []
    /// Ids scheduled and neither fired nor cancelled: cancelling is a set removal, and a
    /// cancelled entry is dropped when it reaches the top of the heap, or when cancelled
    /// entries are most of the heap (`compact`).
    private var pending: Set<UInt64> = []

    /// The fewest entries worth compacting.
    private static let compactionFloor = 64

    /// The longest epoll wait that still fires the earliest timer on time; -1 when none.
    func waitMilliseconds() -> Int32 {
        guard let first = heap.first else { return -1 }
        let now = MonotonicClock.now()
        guard first.deadline > now else { return 0 }
        let remaining = (first.deadline - now + 999_999) / 1_000_000
        return Int32(min(remaining, UInt64(Int32.max)))
    }

    mutating func insert(deadline: UInt64, id: UInt64, task: @escaping () -> Void) {
        heap.append(Entry(deadline: deadline, id: id, task: task))
        pending.insert(id)
        siftUp(heap.count - 1)
    }

    /// Request timeouts are almost all cancelled long before they are due. Left in the heap
    /// until due, they would pile up a timeout's worth of requests (30 s of them) behind
    /// any earlier timer, and every doubling of that storage would stall the loop; so the
    /// heap is rebuilt from the pending entries once cancelled ones are most of it, which
    /// keeps it within twice the pending timers at an amortised constant cost per cancel.
    mutating func cancel(id: UInt64) {
        guard pending.remove(id) != nil else { return }
        if heap.count > Self.compactionFloor, heap.count > 2 * pending.count {
            compact()
        }
    }

    /// Removes and returns the earliest timer due at or before `now` that was not
    /// cancelled, or nil. The caller runs it outside the heap, so a timer may schedule others.
    mutating func popDue(now: UInt64) -> (() -> Void)? {
        while let first = heap.first, first.deadline <= now {
            let entry = popFirst()
            if pending.remove(entry.id) != nil {
                return entry.task
            }
        }
        return nil
    }

    /// Timers still to fire.
    var count: Int {
        pending.count
    }

    /// Entries held, cancelled ones not yet dropped included.
    var storedEntries: Int {
        heap.count
    }

    /// Drops the cancelled entries and restores the heap order, in place (the storage keeps
    /// its capacity, so a steady load allocates nothing).
    private mutating func compact() {
        heap.removeAll { !pending.contains($0.id) }
        var parent = heap.count / 2
        while parent > 0 {
            parent -= 1
            siftDown(parent)
        }
    }

    private mutating func popFirst() -> Entry {
        let first = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline {
                smallest = right
            }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
