import CSystem
import Glibc
import Synchronization
import Locks

/// Something registered with an event loop for readiness events on a file descriptor.
///
/// Called on the loop's thread only.
protocol EventLoopSelectable: AnyObject {
    /// Handles the epoll `events` reported for the descriptor.
    func handleEvents(_ events: UInt32)
}

/// One thread running epoll: file descriptors, timers and tasks from other threads.
///
/// Every connection belongs to exactly one loop and is touched only on its thread. Other
/// threads hand work to a loop with `execute`, which takes no lock.
public final class EventLoop: @unchecked Sendable {
    // @unchecked: the mutable state below is touched only on the loop's own thread (asserted
    // with `assertInEventLoop`); other threads reach the loop only through `tasks` (lock-free)
    // and `wakeFD` (a write to an eventfd), both safe from any thread.

    public let name: String
    private let epollFD: Int32
    private let wakeFD: Int32
    private let tasks = TaskQueue()
    private let threadID = Atomic<UInt>(0)
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Lock<Bool>(false)

    private var registrations: [Int32: EventLoopSelectable] = [:]
    private var timers = TimerHeap()
    private var nextTimerID: UInt64 = 1

    /// One-shot work for the end of the current iteration, after all events and tasks:
    /// connections use it to flush what they wrote during the iteration in one system call.
    private var endOfIteration: [() -> Void] = []

    private static let maxEventsPerWait = 256

    /// Creates a loop and starts its thread. Throws when epoll or eventfd cannot be made.
    public init(name: String) throws(TransportError) {
        _ = ignoreBrokenPipes
        self.name = name
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { throw .system("epoll_create1", errno: errno) }
        let wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard wake >= 0 else {
            close(epoll)
            throw .system("eventfd", errno: errno)
        }
        epollFD = epoll
        wakeFD = wake

        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wake
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wake, &event)

        try startThread()
        while threadID.load(ordering: .acquiring) == 0 {
            sched_yield()
        }
    }

    deinit {
        close(epollFD)
        close(wakeFD)
    }

    /// The loop whose thread is calling, or nil off every loop. Any thread.
    public static var current: EventLoop? {
        guard let raw = pthread_getspecific(currentLoopKey.key) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Whether the caller runs on this loop's thread. Any thread.
    public var inEventLoop: Bool {
        pthread_self() == pthread_t(threadID.load(ordering: .relaxed))
    }

    /// Traps when called off the loop's thread: guards loop-confined state in debug builds.
    @inline(__always)
    public func assertInEventLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(inEventLoop, "called off event loop \(name)", file: file, line: line)
    }

    /// The monotonic time when the current iteration woke up: good enough for timeouts and
    /// activity stamps, and one clock read per iteration instead of several per request.
    /// Loop thread only.
    public private(set) var iterationTime: UInt64 = MonotonicClock.now()

    /// Runs `task` on the loop's thread, after the current iteration's events. Any thread.
    public func execute(_ task: @escaping @Sendable () -> Void) {
        if tasks.push(task) {
            wake()
        }
    }

    /// Runs `task` now when already on the loop, otherwise queues it. Any thread.
    public func executeOrRun(_ task: @escaping @Sendable () -> Void) {
        if inEventLoop {
            task()
        } else {
            execute(task)
        }
    }

    /// Schedules `task` to run on the loop after `delay`; returns an id for `cancelTimer`.
    /// Loop thread only.
    @discardableResult
    public func scheduleTimer(after delay: Duration64, _ task: @escaping () -> Void) -> UInt64 {
        assertInEventLoop()
        let id = nextTimerID
        nextTimerID += 1
        timers.insert(deadline: MonotonicClock.now() + delay.nanoseconds, id: id, task: task)
        return id
    }

    /// Cancels a timer that has not fired yet. Loop thread only.
    public func cancelTimer(_ id: UInt64) {
        assertInEventLoop()
        timers.cancel(id: id)
    }

    /// Asks the loop to stop after its current iteration and waits for its thread to end.
    /// Must not be called on the loop's own thread.
    public func shutdown() {
        precondition(!inEventLoop, "an event loop cannot wait for itself to stop")
        stopRequested.store(true, ordering: .releasing)
        wake()
        while !finished.withLock({ $0 }) {
            usleep(1_000)
        }
    }

    // MARK: Registration (loop thread only)

    func register(fd: Int32, events: UInt32, handler: EventLoopSelectable) throws(TransportError) {
        assertInEventLoop()
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        guard epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) == 0 else {
            throw .system("epoll_ctl(ADD)", errno: errno)
        }
        registrations[fd] = handler
    }

    func modify(fd: Int32, events: UInt32) {
        assertInEventLoop()
        var event = epoll_event()
        event.events = events
        event.data.fd = fd
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    func deregister(fd: Int32) {
        assertInEventLoop()
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        registrations[fd] = nil
    }

    /// Runs `task` once at the end of the current iteration. Loop thread only.
    func runAtEndOfIteration(_ task: @escaping () -> Void) {
        assertInEventLoop()
        endOfIteration.append(task)
    }

    // MARK: The loop

    private func startThread() throws(TransportError) {
        let box = Unmanaged.passRetained(ThreadStart { [self] in
            ThreadName.setCurrent(name)
            threadID.store(UInt(pthread_self()), ordering: .releasing)
            pthread_setspecific(currentLoopKey.key, Unmanaged.passUnretained(self).toOpaque())
            run()
            pthread_setspecific(currentLoopKey.key, nil)
        })
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
            start.body()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            throw .system("pthread_create", errno: result)
        }
        pthread_detach(thread)
    }

    private func run() {
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Self.maxEventsPerWait)
        defer { events.deallocate() }

        while !stopRequested.load(ordering: .acquiring) {
            let count = epoll_wait(
                epollFD, events, Int32(Self.maxEventsPerWait), timers.waitMilliseconds())
            iterationTime = MonotonicClock.now()
            if count > 0 {
                for index in 0..<Int(count) {
                    let event = events[index]
                    if event.data.fd == wakeFD {
                        drainWakeFD()
                    } else if let handler = registrations[event.data.fd] {
                        handler.handleEvents(event.events)
                    }
                }
            }
            runTasks()
            let now = iterationTime
            while let task = timers.popDue(now: now) {
                task()
            }
            while !endOfIteration.isEmpty {
                let pending = endOfIteration
                endOfIteration.removeAll(keepingCapacity: true)
                for task in pending {
                    task()
                }
            }
        }

        registrations.removeAll()
        endOfIteration.removeAll()
        _ = tasks.drain()
        finished.withLock { $0 = true }
    }

    private func runTasks() {
        // Tasks queued while these run are taken on the next iteration, so a task that
        // re-queues itself cannot starve the sockets.
        for task in tasks.drain() {
            task()
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    private func drainWakeFD() {
        var value: UInt64 = 0
        _ = Glibc.read(wakeFD, &value, MemoryLayout<UInt64>.size)
    }
}

/// A write to a socket whose peer has gone must fail with EPIPE, not kill the process:
/// `send` is given MSG_NOSIGNAL, but OpenSSL writes with plain `write`, so SIGPIPE is ignored
/// process-wide as soon as the first loop starts.
private let ignoreBrokenPipes: Void = {
    signal(SIGPIPE, SIG_IGN)
}()

/// The thread-specific slot that holds each loop thread's own loop.
private let currentLoopKey = ThreadKey()

private final class ThreadKey: Sendable {
    let key: pthread_key_t

    init() {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.key = key
    }
}

/// The closure a loop's thread starts with.
private final class ThreadStart {
    let body: () -> Void

    init(_ body: @escaping () -> Void) {
        self.body = body
    }
}
