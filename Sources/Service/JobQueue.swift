import Dispatch
import Locks

/// A queue of jobs for one consumer thread, which takes them all at once (so jobs that
/// arrive together are handled together: group commit) and can wait with a deadline.
public final class JobQueue<Job: Sendable>: Sendable {
    private let jobs = Lock<[Job]>([])
    private let signal = DispatchSemaphore(value: 0)

    public init() {}

    /// Adds a job. Any thread.
    public func push(_ job: Job) {
        jobs.withLock { $0.append(job) }
        signal.signal()
    }

    /// Every job waiting, oldest first; waits until `deadline` when there are none, and
    /// returns an empty array if none came by then. Consumer thread only.
    public func takeAll(waitingUntil deadline: DispatchTime) -> [Job] {
        let taken = jobs.withLock { queued -> [Job] in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        if !taken.isEmpty { return taken }
        _ = signal.wait(timeout: deadline)
        return jobs.withLock { queued -> [Job] in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
    }
}
