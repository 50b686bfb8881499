import Foundation
import Store
import TestSupport
import XCTest

final class ReadTransactionTests: XCTestCase {
    func testGetWithValueFirstLastCountOnFilledAndEmptyTables() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            let empty = try environment.table("empty")
            try environment.write { txn in
                for index in [5, 1, 9, 3] as [UInt64] {
                    try txn.put(markets, StoreKey.uint64(index), bytes(10, seed: Int(index)))
                }
            }

            try environment.read { txn in
                XCTAssertEqual(try txn.get(markets, StoreKey.uint64(9)), bytes(10, seed: 9))
                XCTAssertNil(try txn.get(markets, StoreKey.uint64(4)))
                let sum = try txn.withValue(markets, StoreKey.uint64(3)) { value in
                    value.reduce(0) { $0 + Int($1) }
                }
                XCTAssertEqual(sum, bytes(10, seed: 3).reduce(0) { $0 + Int($1) })
                var ran = false
                XCTAssertNil(try txn.withValue(markets, StoreKey.uint64(4)) { _ in ran = true })
                XCTAssertFalse(ran)

                XCTAssertEqual(try txn.count(markets), 4)
                let first = try XCTUnwrap(try txn.first(markets))
                XCTAssertEqual(StoreKey.uint64(from: first.key), 1)
                XCTAssertEqual(first.value, bytes(10, seed: 1))
                let last = try XCTUnwrap(try txn.last(markets))
                XCTAssertEqual(StoreKey.uint64(from: last.key), 9)

                XCTAssertEqual(try txn.count(empty), 0)
                XCTAssertNil(try txn.first(empty))
                XCTAssertNil(try txn.last(empty))
                XCTAssertNil(try txn.get(empty, [1]))
            }
        }
    }

    func testForEachWalksInKeyOrderFromAStartKeyAndStops() throws {
        try withEnvironment { environment, _ in
            let log = try environment.table("log")
            try environment.write { txn in
                // Inserted out of order, across many pages.
                for sequence in (0..<2_000 as Range<UInt64>).reversed() {
                    try txn.put(log, StoreKey.uint64(sequence * 2), StoreKey.uint64(sequence))
                }
            }

            try environment.read { txn in
                var all: [UInt64] = []
                try txn.forEach(log) { key, value in
                    all.append(try XCTUnwrap(StoreKey.uint64(from: key)))
                    XCTAssertEqual(StoreKey.uint64(from: value), all.last! / 2)
                    return true
                }
                XCTAssertEqual(all, (0..<2_000).map { UInt64($0) * 2 })

                // A start key between two keys starts at the next one.
                var fromMiddle: [UInt64] = []
                try txn.forEach(log, from: StoreKey.uint64(1_001)) { key, _ in
                    fromMiddle.append(StoreKey.uint64(from: key)!)
                    return fromMiddle.count < 3
                }
                XCTAssertEqual(fromMiddle, [1_002, 1_004, 1_006])

                var pastTheEnd = 0
                try txn.forEach(log, from: StoreKey.uint64(10_000)) { _, _ in
                    pastTheEnd += 1
                    return true
                }
                XCTAssertEqual(pastTheEnd, 0)

                var fromEmpty = 0
                try txn.forEach(log, from: []) { _, _ in
                    fromEmpty += 1
                    return false
                }
                XCTAssertEqual(fromEmpty, 1)
            }
        }
    }

    func testForEachDescendingWalksBackFromAStartKeyAndStops() throws {
        try withEnvironment { environment, _ in
            let log = try environment.table("log")
            let empty = try environment.table("empty")
            try environment.write { txn in
                for sequence in 1...2_000 as ClosedRange<UInt64> {
                    try txn.put(log, StoreKey.uint64(sequence * 2), StoreKey.uint64(sequence))
                }
            }

            func keys(
                _ table: StoreTable, from start: [UInt8]?, most: Int = .max,
                _ txn: borrowing some ReadableTransaction & ~Copyable
            ) throws -> [UInt64] {
                var found: [UInt64] = []
                try txn.forEachDescending(table, from: start) { key, _ in
                    found.append(StoreKey.uint64(from: key)!)
                    return found.count < most
                }
                return found
            }

            try environment.read { txn in
                XCTAssertEqual(
                    try keys(log, from: nil, txn), (1...2_000).reversed().map { UInt64($0) * 2 })
                // On a key: from it. Between two keys: from the lower one.
                XCTAssertEqual(
                    try keys(log, from: StoreKey.uint64(1_000), most: 3, txn), [1_000, 998, 996])
                XCTAssertEqual(
                    try keys(log, from: StoreKey.uint64(1_001), most: 3, txn), [1_000, 998, 996])
                // Past the last key: from the last. Below the first: nothing.
                XCTAssertEqual(
                    try keys(log, from: StoreKey.uint64(99_999), most: 2, txn), [4_000, 3_998])
                XCTAssertEqual(try keys(log, from: StoreKey.uint64(1), txn), [])
                XCTAssertEqual(try keys(log, from: [], most: 1, txn), [4_000])
                XCTAssertEqual(try keys(empty, from: StoreKey.uint64(5), txn), [])
            }
            // A write transaction walks its own writes too.
            try environment.write { txn in
                try txn.put(log, StoreKey.uint64(5_000), [])
                XCTAssertEqual(try keys(log, from: nil, most: 2, txn), [5_000, 4_000])
            }
        }
    }

    func testCodeSharedBetweenReadsAndWritesTakesEitherTransaction() throws {
        /// The spelling the services use for helpers that work in both kinds of transaction.
        func total(_ txn: borrowing some ReadableTransaction & ~Copyable, _ table: StoreTable)
            throws -> Int
        {
            var total = 0
            try txn.forEach(table) { _, value in
                total += Int(value[0])
                return true
            }
            return total
        }

        try withEnvironment { environment, _ in
            let stakes = try environment.table("stakes")
            let inWrite = try environment.write { txn in
                try txn.put(stakes, [1], [10])
                try txn.put(stakes, [2], [20])
                return try total(txn, stakes)
            }
            XCTAssertEqual(inWrite, 30)
            XCTAssertEqual(try environment.read { txn in try total(txn, stakes) }, 30)
        }
    }

    func testErrorsFromTheBodyPropagate() throws {
        struct Refusal: Error, Equatable {}
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            try environment.write { txn in try txn.put(markets, [1], [1]) }

            XCTAssertThrowsError(try environment.read { _ in throw Refusal() }) { error in
                XCTAssertEqual(error as? Refusal, Refusal())
            }
            XCTAssertThrowsError(
                try environment.read { txn in
                    try txn.forEach(markets) { _, _ in throw Refusal() }
                }
            ) { error in XCTAssertEqual(error as? Refusal, Refusal()) }
            XCTAssertThrowsError(
                try environment.read { txn in
                    try txn.withValue(markets, [1]) { _ in throw Refusal() }
                }
            ) { error in XCTAssertEqual(error as? Refusal, Refusal()) }

            // The failed reads left no slot behind.
            XCTAssertEqual(try environment.statistics.readersInUse, 0)
        }
    }

    func testBadKeysAreErrorsNotTraps() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            let tooLong = [UInt8](repeating: 7, count: 512)
            let longest = [UInt8](repeating: 7, count: 511)

            try environment.read { txn in
                assertStoreError(.badValueSize) { try txn.get(markets, tooLong) }
                assertStoreError(.badValueSize) { try txn.get(markets, []) }
                assertStoreError(.badValueSize) {
                    try txn.withValue(markets, tooLong) { _ in () }
                }
                assertStoreError(.badValueSize) {
                    try txn.forEach(markets, from: tooLong) { _, _ in true }
                }
            }
            try environment.write { txn in
                assertStoreError(.badValueSize) { try txn.put(markets, tooLong, [1]) }
                assertStoreError(.badValueSize) { try txn.put(markets, [], [1]) }
                assertStoreError(.badValueSize) { try txn.delete(markets, tooLong) }
                assertStoreError(.badValueSize) {
                    try txn.put(markets, [1], reservingBytes: -1) { _ in }
                }
                // The refusals did not spoil the transaction.
                try txn.put(markets, longest, [2])
            }
            XCTAssertEqual(try environment.read { txn in try txn.get(markets, longest) }, [2])
        }
    }

    func testALongReadSeesOneSnapshotWhileWritesCommit() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            let keys = (0..<50).map { StoreKey.uint64(UInt64($0)) }
            try environment.write { txn in
                for key in keys { try txn.put(markets, key, StoreKey.uint64(0)) }
            }

            let readerHasSnapshot = DispatchSemaphore(value: 0)
            let writesDone = DispatchSemaphore(value: 0)
            let failures = ThreadFailures()
            let finished = DispatchSemaphore(value: 0)
            Thread {
                defer { finished.signal() }
                do {
                    try environment.read { txn in
                        let before = try keys.map { try txn.get(markets, $0) }
                        readerHasSnapshot.signal()
                        guard writesDone.wait(timeout: .now() + 30) == .success else {
                            failures.record("the writes never finished")
                            return
                        }
                        let after = try keys.map { try txn.get(markets, $0) }
                        let zero = StoreKey.uint64(0)
                        if before != after || before.contains(where: { $0 != zero }) {
                            failures.record("the snapshot changed under the reader")
                        }
                    }
                } catch {
                    failures.record("read failed: \(error)")
                }
            }.start()

            XCTAssertEqual(readerHasSnapshot.wait(timeout: .now() + 30), .success)
            for version in 1...20 as ClosedRange<UInt64> {
                try environment.write { txn in
                    for key in keys { try txn.put(markets, key, StoreKey.uint64(version)) }
                }
            }
            writesDone.signal()
            XCTAssertEqual(finished.wait(timeout: .now() + 30), .success)
            XCTAssertEqual(failures.all, [])

            let latest = try environment.read { txn in try txn.get(markets, keys[17]) }
            XCTAssertEqual(latest, StoreKey.uint64(20))
        }
    }

    func testConcurrentReadersNeverSeeAWriteHalfway() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            let keys = (0..<40).map { StoreKey.uint64(UInt64($0)) }
            try environment.write { txn in
                for key in keys { try txn.put(markets, key, StoreKey.uint64(0)) }
            }
            let lastVersion: UInt64 = 300
            let failures = ThreadFailures()
            let writing = ManagedFlag()
            writing.set(true)

            let readersDone = DispatchGroup()
            for _ in 0..<4 {
                readersDone.enter()
                Thread {
                    defer { readersDone.leave() }
                    var reads = 0
                    while writing.value || reads < 10 {
                        reads += 1
                        do {
                            let versions = try environment.read { txn in
                                try keys.map { StoreKey.uint64(from: try txn.get(markets, $0)!)! }
                            }
                            if Set(versions).count != 1 {
                                failures.record("torn read: \(Set(versions).sorted())")
                                return
                            }
                        } catch {
                            failures.record("read failed: \(error)")
                            return
                        }
                    }
                }.start()
            }

            for version in 1...lastVersion {
                try environment.write { txn in
                    for key in keys { try txn.put(markets, key, StoreKey.uint64(version)) }
                }
            }
            writing.set(false)
            XCTAssertEqual(readersDone.wait(timeout: .now() + 60), .success)
            XCTAssertEqual(failures.all, [])
        }
    }

    func testEachReadOfAThreadSeesTheLatestCommitThoughItsSlotIsKept() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            for version in UInt8(1)...5 {
                try environment.write { txn in try txn.put(markets, [1], [version]) }
                // The thread's read transaction is parked between reads and renewed for the
                // next: each renewal takes the newest snapshot, never the parked one's.
                let read = try environment.read { txn in try txn.get(markets, [1]) }
                XCTAssertEqual(read, [version])
                XCTAssertEqual(try environment.statistics.readersInUse, 0)
            }
            let inside = try environment.read { _ in try environment.statistics.readersInUse }
            XCTAssertEqual(inside, 1, "an open read holds a snapshot")
        }
    }

    func testMoreReaderThreadsThanReaderSlots() throws {
        try withEnvironment(StoreConfiguration(maxReaders: 4)) { environment, _ in
            let markets = try environment.table("markets")
            let values = (0..<100).map { bytes(32, seed: $0) }
            try environment.write { txn in
                for (index, value) in values.enumerated() {
                    try txn.put(markets, StoreKey.uint64(UInt64(index)), value)
                }
            }
            let slots = try environment.statistics.maxReaders
            let threads = max(16, slots + 4)
            let failures = ThreadFailures()

            let finished = Threads.run(threads) { thread in
                for read in 0..<1_000 {
                    let index = (thread * 7 + read) % 100
                    do {
                        let value = try environment.read { txn in
                            try txn.get(markets, StoreKey.uint64(UInt64(index)))
                        }
                        if value != values[index] {
                            failures.record("thread \(thread) read a wrong value")
                            return
                        }
                    } catch {
                        failures.record("thread \(thread) read \(read) failed: \(error)")
                        return
                    }
                }
            }

            XCTAssertTrue(finished)
            XCTAssertEqual(failures.all, [])
            XCTAssertEqual(try environment.statistics.readersInUse, 0)
        }
    }

    func testReadsBeyondEveryReaderSlotFailWithReadersFull() throws {
        try withEnvironment(StoreConfiguration(maxReaders: 4)) { environment, _ in
            let slots = try environment.statistics.maxReaders

            // Each nested read holds one more slot; the one past the last slot must fail.
            func nest(_ depth: Int) throws -> Int {
                try environment.read { _ in depth == slots ? depth : try nest(depth + 1) }
            }
            XCTAssertEqual(try nest(1), slots)
            assertStoreError(.readersFull) { try nest(0) }

            // Every slot came back.
            XCTAssertEqual(try environment.statistics.readersInUse, 0)
            XCTAssertEqual(try environment.read { _ in 1 }, 1)
        }
    }
}
