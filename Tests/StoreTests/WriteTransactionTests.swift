import Foundation
import Store
import TestSupport
import XCTest

final class WriteTransactionTests: XCTestCase {
    func testPutReplaceDeleteAndClear() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            let key = Array("market/42".utf8)

            let returned = try environment.write { txn in
                try txn.put(markets, key, [1])
                try txn.put(markets, key, [2, 2])
                try txn.put(markets, Array("empty".utf8), [])
                // A write reads its own changes.
                return try txn.get(markets, key)
            }
            XCTAssertEqual(returned, [2, 2])
            try environment.read { txn in
                XCTAssertEqual(try txn.get(markets, key), [2, 2])
                XCTAssertEqual(try txn.get(markets, Array("empty".utf8)), [])
                XCTAssertEqual(try txn.count(markets), 2)
            }

            let deleted = try environment.write { txn in
                (try txn.delete(markets, key), try txn.delete(markets, key))
            }
            XCTAssertTrue(deleted.0)
            XCTAssertFalse(deleted.1)
            XCTAssertNil(try environment.read { txn in try txn.get(markets, key) })

            try environment.write { txn in try txn.clear(markets) }
            XCTAssertEqual(try environment.read { txn in try txn.count(markets) }, 0)
            // A cleared table is still there to write to.
            try environment.write { txn in try txn.put(markets, key, [3]) }
            XCTAssertEqual(try environment.read { txn in try txn.get(markets, key) }, [3])
        }
    }

    func testPutReservingBytesWritesInPlace() throws {
        try withEnvironment { environment, _ in
            let snapshots = try environment.table("snapshots")
            let expected = bytes(10_000, seed: 3)
            try environment.write { txn in
                try txn.put(snapshots, [1], reservingBytes: expected.count) { buffer in
                    XCTAssertEqual(buffer.count, expected.count)
                    buffer.copyBytes(from: expected)
                }
                try txn.put(snapshots, [2], reservingBytes: 0) { buffer in
                    XCTAssertEqual(buffer.count, 0)
                }
            }
            try environment.read { txn in
                XCTAssertEqual(try txn.get(snapshots, [1]), expected)
                XCTAssertEqual(try txn.get(snapshots, [2]), [])
            }
        }
    }

    /// `update` against a plain dictionary: new keys, values replaced by ones of the same,
    /// a larger and a smaller size, values large enough for overflow pages both ways, and
    /// updates declined, over enough keys to split pages; every value read back after.
    func testUpdateReadsAndWritesInOneSearchLikeGetThenPut() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            var model: [[UInt8]: [UInt8]] = [:]
            var generator = SystemRandomNumberGenerator()
            let sizes = [0, 1, 20, 300, 301, 1_200, 3_000, 9_000]
            for round in 0..<6 {
                try environment.write { txn in
                    for step in 0..<800 {
                        let key = Array("market-\((step * 7 + round * 13) % 500)".utf8)
                        let size = sizes.randomElement(using: &generator)!
                        let value = bytes(size, seed: round * 1_000 + step)
                        let declines = step % 9 == 0
                        var seen: [UInt8]?? = .none
                        let stored = try txn.update(markets, key) { existing in
                            seen = .some(existing.map { Array($0) })
                            return declines ? nil : size
                        } fill: { buffer in
                            XCTAssertEqual(buffer.count, size)
                            buffer.copyBytes(from: value)
                        }
                        XCTAssertEqual(seen, .some(model[key]), "what update saw of \(key)")
                        XCTAssertEqual(stored, !declines)
                        if !declines {
                            model[key] = value
                        }
                        // A write reads its own changes.
                        XCTAssertEqual(try txn.get(markets, key), model[key])
                    }
                }
                try environment.read { txn in
                    XCTAssertEqual(try txn.count(markets), model.count)
                    for (key, value) in model {
                        XCTAssertEqual(try txn.get(markets, key), value)
                    }
                }
            }
        }
    }

    func testDeleteAllBelowTrimsTheLowKeysOnly() throws {
        try withEnvironment { environment, _ in
            let log = try environment.table("log")
            try environment.write { txn in
                for sequence in 1...10_000 as ClosedRange<UInt64> {
                    try txn.put(log, StoreKey.uint64(sequence), bytes(40, seed: Int(sequence)))
                }
            }

            let trimmed = try environment.write { txn in
                try txn.deleteAll(log, below: StoreKey.uint64(6_001))
            }
            XCTAssertEqual(trimmed, 6_000)
            try environment.read { txn in
                XCTAssertEqual(try txn.count(log), 4_000)
                XCTAssertEqual(StoreKey.uint64(from: try XCTUnwrap(txn.first(log)).key), 6_001)
                XCTAssertEqual(StoreKey.uint64(from: try XCTUnwrap(txn.last(log)).key), 10_000)
                var expected: UInt64 = 6_001
                try txn.forEach(log) { key, value in
                    XCTAssertEqual(StoreKey.uint64(from: key), expected)
                    XCTAssertEqual(Array(value), bytes(40, seed: Int(expected)))
                    expected += 1
                    return true
                }
                XCTAssertEqual(expected, 10_001)
            }

            let nothingBelow = try environment.write { txn in
                (try txn.deleteAll(log, below: StoreKey.uint64(10)),
                 try txn.deleteAll(log, below: []))
            }
            XCTAssertEqual(nothingBelow.0, 0)
            XCTAssertEqual(nothingBelow.1, 0)
            let everything = try environment.write { txn in
                try txn.deleteAll(log, below: StoreKey.uint64(.max))
            }
            XCTAssertEqual(everything, 4_000)
            XCTAssertNil(try environment.read { txn in try txn.first(log) })
        }
    }

    func testTheCommitCountMovesWithEachCommitOnly() throws {
        struct Refusal: Error {}
        try withEnvironment { environment, _ in
            let start = environment.commits
            let markets = try environment.table("markets")
            XCTAssertEqual(environment.commits, start + 1, "creating a table commits")
            try environment.write { txn in try txn.put(markets, [1], [1]) }
            XCTAssertEqual(environment.commits, start + 2)
            XCTAssertThrowsError(try environment.write { txn in
                try txn.put(markets, [2], [2])
                throw Refusal()
            })
            XCTAssertEqual(environment.commits, start + 2, "a write that threw commits nothing")
            _ = try environment.read { txn in try txn.count(markets) }
            XCTAssertEqual(environment.commits, start + 2, "a read commits nothing")
        }
    }

    func testAWriteThatThrowsLeavesNothing() throws {
        struct Refusal: Error, Equatable {}
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            try environment.write { txn in try txn.put(markets, [1], [1]) }

            XCTAssertThrowsError(
                try environment.write { txn in
                    try txn.put(markets, [1], [9])
                    try txn.put(markets, [2], [9])
                    _ = try txn.delete(markets, [1])
                    throw Refusal()
                }
            ) { error in XCTAssertEqual(error as? Refusal, Refusal()) }

            try environment.read { txn in
                XCTAssertEqual(try txn.get(markets, [1]), [1])
                XCTAssertNil(try txn.get(markets, [2]))
                XCTAssertEqual(try txn.count(markets), 1)
            }
            // The writer goes on after a failed write.
            try environment.write { txn in try txn.put(markets, [2], [2]) }
            XCTAssertEqual(try environment.read { txn in try txn.count(markets) }, 2)
        }
    }

    func testAReadBeginningDuringAWriteSeesTheLastCommitOnly() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            try environment.write { txn in try txn.put(markets, [1], [1]) }

            let seenFromAnotherThread = try environment.write { txn in
                try txn.put(markets, [1], [2])
                let box = ValueBox()
                let finished = Threads.run(1) { _ in
                    box.set(try? environment.read { txn in try txn.get(markets, [1]) })
                }
                XCTAssertTrue(finished)
                return box.value
            }
            XCTAssertEqual(seenFromAnotherThread, [1])
            XCTAssertEqual(try environment.read { txn in try txn.get(markets, [1]) }, [2])
        }
    }

    func testTheWriterThreadWritesAgainAndAgain() throws {
        try withEnvironment { environment, _ in
            let cursor = try environment.table("cursor")
            for sequence in 1...500 as ClosedRange<UInt64> {
                try environment.write { txn in
                    let previous = try txn.get(cursor, [0]).flatMap(StoreKey.uint64(from:)) ?? 0
                    XCTAssertEqual(previous, sequence - 1)
                    try txn.put(cursor, [0], StoreKey.uint64(sequence))
                }
            }
            let final = try environment.read { txn in try txn.get(cursor, [0]) }
            XCTAssertEqual(final, StoreKey.uint64(500))
        }
    }

    func testTheWriterCanHandWritingToAnotherThread() throws {
        try withEnvironment { environment, _ in
            let cursor = try environment.table("cursor")
            // Releasing before any write changes nothing.
            environment.releaseWriterThread()
            try environment.write { txn in try txn.put(cursor, [0], StoreKey.uint64(1)) }
            environment.releaseWriterThread()

            let failures = ThreadFailures()
            let finished = Threads.run(1) { _ in
                do {
                    for sequence in 2...20 as ClosedRange<UInt64> {
                        try environment.write { txn in
                            try txn.put(cursor, [0], StoreKey.uint64(sequence))
                        }
                    }
                } catch {
                    failures.record("write failed: \(error)")
                }
            }
            XCTAssertTrue(finished)
            XCTAssertEqual(failures.all, [])
            let last = try environment.read { txn in try txn.get(cursor, [0]) }
            XCTAssertEqual(last, StoreKey.uint64(20))
        }
    }

    func testWritesFromAnotherThreadWorkWhenItIsTheOnlyWriter() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            let failures = ThreadFailures()
            // The first writer is a background thread; it keeps the role.
            let finished = Threads.run(1) { _ in
                do {
                    for index in 0..<50 {
                        try environment.write { txn in
                            try txn.put(markets, StoreKey.uint64(UInt64(index)), [1])
                        }
                    }
                } catch {
                    failures.record("write failed: \(error)")
                }
            }
            XCTAssertTrue(finished)
            XCTAssertEqual(failures.all, [])
            XCTAssertEqual(try environment.read { txn in try txn.count(markets) }, 50)
        }
    }
}
