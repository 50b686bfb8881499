import Dispatch
import Foundation
import Locks
import Store
import Synchronization
import Telemetry

/// Flushes the edge's store to disk on a thread of its own, every interval while the store
/// has commits it has not flushed (its commit count has moved), so the feed applier never
/// waits out an fsync (which takes milliseconds here, and would hold up every change arriving
/// meanwhile). The store commits without syncing (`MDB_NOSYNC`): a process crash loses
/// nothing, a power loss at most the last interval, which the feed sends again from the
/// cursor. An interval of 0 means the store syncs every commit itself, and the flusher
/// thread is not started.
final class StoreFlusher: Sendable {
    private let environment: StoreEnvironment
    private let enabled: Bool
    private let interval: DispatchTimeInterval
    private let logger: Logger
    private let latency: Histogram
    /// The store's commit count at the last flush that worked.
    private let flushedCommits = Atomic<UInt64>(0)
    private let stopRequested = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let running = Atomic<Bool>(false)
    /// Set when a sync fails, cleared when one succeeds: whether everything committed may
    /// not be on disk.
    private let failed = Atomic<Bool>(false)

    init(
        environment: StoreEnvironment, intervalMilliseconds: Int, logger: Logger,
        latency: Histogram
    ) {
        self.environment = environment
        self.latency = latency
        enabled = intervalMilliseconds > 0
        interval = .milliseconds(max(1, intervalMilliseconds))
        self.logger = logger
    }

    private static let threadName = "store-flusher"

    func start() {
        guard enabled, !running.exchange(true, ordering: .relaxed) else { return }
        let thread = Thread { [self] in
            ThreadName.setCurrent(Self.threadName)
            while stopRequested.wait(timeout: .now() + interval) == .timedOut {
                flush()
            }
            stopped.signal()
        }
        thread.name = Self.threadName
        thread.start()
    }

    /// Flushes now if anything is unflushed. Any thread.
    func flush() {
        // Taken before the sync: commits during it are flushed next time.
        let commits = environment.commits
        guard commits != flushedCommits.load(ordering: .acquiring) else { return }
        let started = DispatchTime.now()
        do {
            try environment.sync()
            flushedCommits.store(commits, ordering: .releasing)
            failed.store(false, ordering: .releasing)
            latency.observe(
                nanoseconds: DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds)
        } catch {
            // The count stays where it was: the next flush tries again.
            failed.store(true, ordering: .releasing)
            logger.error("store.sync_failed", ["error": .string("\(error)")])
        }
    }

    /// Stops the thread and flushes what is left; returns whether everything committed is
    /// on disk.
    @discardableResult
    func stop() -> Bool {
        if running.load(ordering: .relaxed) {
            stopRequested.signal()
            stopped.wait()
        }
        flush()
        return !failed.load(ordering: .acquiring)
    }
}
