import Dispatch
import Foundation
import Locks

/// A dedicated thread fed by a `JobQueue`: the one writer of a store (the origin's sequencer,
/// the edge's feed applier). LMDB wants its writes on one thread, and a dedicated thread
/// also keeps a blocking commit off the event loops.
public final class WriterThread<Job: Sendable>: Sendable {
    public let queue = JobQueue<Job>()
    private let name: String
    private let finished = DispatchSemaphore(value: 0)

    public init(name: String) {
        self.name = name
    }

    /// Starts the thread, which runs `body` with the queue until `body` returns. Call once.
    public func start(_ body: @escaping @Sendable (JobQueue<Job>) -> Void) {
        let queue = self.queue
        let finished = self.finished
        let name = self.name
        let thread = Thread {
            ThreadName.setCurrent(name)
            body(queue)
            finished.signal()
        }
        thread.name = name
        thread.start()
    }

    /// Queues a job. Any thread.
    public func submit(_ job: Job) {
        queue.push(job)
    }

    /// Waits until `body` has returned (queue what makes it return first).
    public func join() {
        finished.wait()
    }
}

/// State handed to one thread (a writer thread) at start and used only there afterwards.
public final class ThreadConfined<Value>: @unchecked Sendable {
    // @unchecked: made on the starting thread, then used only on the one thread it is
    // handed to, whose start orders it after the creation.
    public let value: Value

    public init(_ value: Value) {
        self.value = value
    }
}
