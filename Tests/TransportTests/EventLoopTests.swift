import Foundation
import Testing
import TestSupport
@testable import Transport
import Locks

@Suite struct EventLoopTests {
    @Test func tasksFromManyThreadsAllRunInOrderPerThread() throws {
        let loop = try EventLoop(name: "test")
        defer { loop.shutdown() }
        let seen = Lock<[Int: [Int]]>([:])
        let threads = 4
        let perThread = 2_000
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                loop.execute {
                    seen.withLock { $0[thread, default: []].append(index) }
                }
            }
        }
        let done = Eventually.wait(timeout: 10) {
            seen.withLock { $0.values.reduce(0) { $0 + $1.count } } == threads * perThread
        }
        #expect(done)
        seen.withLock { all in
            for (_, values) in all {
                #expect(values == Array(0..<perThread))
            }
        }
    }

    @Test func timersFireInDeadlineOrderAndCancelledOnesDoNot() throws {
        let loop = try EventLoop(name: "timers")
        defer { loop.shutdown() }
        let fired = Lock<[Int]>([])
        loop.execute {
            let loop = EventLoop.current!
            loop.scheduleTimer(after: .milliseconds(30)) { fired.withLock { $0.append(3) } }
            loop.scheduleTimer(after: .milliseconds(10)) { fired.withLock { $0.append(1) } }
            let cancelled = loop.scheduleTimer(after: .milliseconds(20)) {
                fired.withLock { $0.append(2) }
            }
            loop.cancelTimer(cancelled)
        }
        #expect(Eventually.wait(timeout: 5) { fired.withLock { $0.count } == 2 })
        #expect(fired.withLock { $0 } == [1, 3])
    }

    @Test func currentIsTheRunningLoopOnlyOnItsThread() throws {
        let loop = try EventLoop(name: "current")
        defer { loop.shutdown() }
        #expect(EventLoop.current == nil)
        let matched = Lock<Bool?>(nil)
        loop.execute { matched.withLock { $0 = EventLoop.current === loop && loop.inEventLoop } }
        #expect(Eventually.wait(timeout: 5) { matched.withLock { $0 } != nil })
        #expect(matched.withLock { $0 } == true)
        #expect(!loop.inEventLoop)
    }

    @Test func theLoopsThreadCarriesItsName() throws {
        let loop = try EventLoop(name: "http-1")
        defer { loop.shutdown() }
        let name = Lock<String?>(nil)
        loop.execute { name.withLock { $0 = ThreadName.current } }
        #expect(Eventually.wait(timeout: 5) { name.withLock { $0 } != nil })
        #expect(name.withLock { $0 } == "http-1")
    }
}
