import Synchronization

/// A lock-free multi-producer, single-consumer queue of closures.
///
/// Producers on any thread push onto a Treiber stack with one compare-and-swap; the single
/// consumer (the owning event loop) takes the whole stack with one exchange and runs it in
/// submission order. No lock is taken on either side.
final class TaskQueue: Sendable {
    private final class Node {
        let task: @Sendable () -> Void
        /// The node pushed before this one, as a retained bit pattern owned by the stack.
        var nextBits: UInt = 0

        init(_ task: @escaping @Sendable () -> Void) {
            self.task = task
        }
    }

    /// The head of the stack as the bit pattern of a retained `Node`, or 0 when empty.
    private let head = Atomic<UInt>(0)

    /// Pushes a task. Returns true when the queue was empty before, so the caller knows it
    /// must wake the consumer. Any thread.
    @discardableResult
    func push(_ task: @escaping @Sendable () -> Void) -> Bool {
        let node = Node(task)
        let bits = UInt(bitPattern: Unmanaged.passRetained(node).toOpaque())
        var current = head.load(ordering: .relaxed)
        while true {
            node.nextBits = current
            let (exchanged, original) = head.compareExchange(
                expected: current, desired: bits,
                successOrdering: .releasing, failureOrdering: .relaxed)
            if exchanged { return original == 0 }
            current = original
        }
    }

    /// Takes every queued task in submission order. Consumer thread only.
    func drain() -> [@Sendable () -> Void] {
        let bits = head.exchange(0, ordering: .acquiring)
        guard bits != 0 else { return [] }

        var tasks: [@Sendable () -> Void] = []
        var next = bits
        while next != 0 {
            let current = Self.node(next).takeRetainedValue()
            tasks.append(current.task)
            next = current.nextBits
        }
        tasks.reverse()
        return tasks
    }

    deinit {
        _ = drain()
    }

    private static func node(_ bits: UInt) -> Unmanaged<Node> {
        Unmanaged<Node>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!)
    }
}
