import CSystem
import Glibc
import Synchronization

/// A fixed set of event loops, one per core by default, handed out round-robin.
public final class EventLoopGroup: Sendable {
    public let loops: [EventLoop]
    private let nextIndex = Atomic<Int>(0)

    /// Starts `threads` loops (the number of online cores when nil). Throws when a loop
    /// cannot start.
    public init(threads: Int? = nil, name: String = "loop") throws(TransportError) {
        let count = max(1, threads ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var loops: [EventLoop] = []
        for index in 0..<count {
            loops.append(try EventLoop(name: "\(name)-\(index)"))
        }
        self.loops = loops
    }

    /// The next loop, round-robin. Any thread.
    public func next() -> EventLoop {
        let index = nextIndex.add(1, ordering: .relaxed).oldValue
        return loops[index % loops.count]
    }

    /// Stops every loop and waits for their threads. Not from a loop thread.
    public func shutdown() {
        for loop in loops {
            loop.shutdown()
        }
    }
}
