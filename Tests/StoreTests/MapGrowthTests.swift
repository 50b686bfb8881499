import Foundation
import Store
import TestSupport
import XCTest

final class MapGrowthTests: XCTestCase {
    /// A map of 64 KiB: a few pages, so the first real write fills it.
    static let tinyMapBytes = 64 << 10

    func testATinyMapGrowsForSeveralMegabytesOfWrites() throws {
        let configuration = StoreConfiguration(
            initialMapBytes: Self.tinyMapBytes, maxMapBytes: 64 << 20)
        try withEnvironment(configuration) { environment, _ in
            let snapshots = try environment.table("snapshots")
            XCTAssertEqual(try environment.statistics.mapBytes, Self.tinyMapBytes)

            // Many small writes, then one large one: about 6 MB in all.
            for index in 0..<100 {
                try environment.write { txn in
                    let key = StoreKey.uint64(UInt64(index))
                    try txn.put(snapshots, key, bytes(40_000, seed: index))
                }
            }
            var runs = 0
            try environment.write { txn in
                runs += 1
                for index in 100..<150 {
                    let key = StoreKey.uint64(UInt64(index))
                    try txn.put(snapshots, key, bytes(40_000, seed: index))
                }
            }
            XCTAssertGreaterThan(
                runs, 1, "the large write should have been run again after growth")

            let statistics = try environment.statistics
            XCTAssertGreaterThanOrEqual(statistics.mapBytes, 6_000_000)
            XCTAssertLessThanOrEqual(statistics.mapBytes, 64 << 20)
            try environment.read { txn in
                XCTAssertEqual(try txn.count(snapshots), 150)
                for index in [0, 57, 99, 100, 149] {
                    XCTAssertEqual(
                        try txn.get(snapshots, StoreKey.uint64(UInt64(index))),
                        bytes(40_000, seed: index))
                }
            }
        }
    }

    func testAWriteBeyondTheLargestMapFailsWholeAndTheStoreGoesOn() throws {
        let maxMapBytes = 1 << 20
        let configuration = StoreConfiguration(
            initialMapBytes: Self.tinyMapBytes, maxMapBytes: maxMapBytes)
        try withEnvironment(configuration) { environment, _ in
            let snapshots = try environment.table("snapshots")
            try environment.write { txn in try txn.put(snapshots, [0], bytes(1_000, seed: 0)) }

            var runs = 0
            assertStoreError(.mapFull) {
                try environment.write { txn in
                    runs += 1
                    for index in 1...40 {
                        let key = StoreKey.uint64(UInt64(index))
                        try txn.put(snapshots, key, bytes(50_000, seed: index))
                    }
                }
            }
            XCTAssertGreaterThan(runs, 1)
            XCTAssertEqual(try environment.statistics.mapBytes, maxMapBytes)
            try environment.read { txn in
                XCTAssertEqual(try txn.count(snapshots), 1, "nothing of the failed write is kept")
                XCTAssertEqual(try txn.get(snapshots, [0]), bytes(1_000, seed: 0))
            }

            // Writes that fit still work, as do reads.
            try environment.write { txn in try txn.put(snapshots, [1], bytes(100_000, seed: 1)) }
            XCTAssertEqual(
                try environment.read { txn in try txn.get(snapshots, [1]) },
                bytes(100_000, seed: 1))
        }
    }

    func testAWriteThatSwallowsTheFullMapIsStillRetried() throws {
        let configuration = StoreConfiguration(
            initialMapBytes: Self.tinyMapBytes, maxMapBytes: 16 << 20)
        try withEnvironment(configuration) { environment, _ in
            let snapshots = try environment.table("snapshots")
            var runs = 0
            var swallowed = 0
            try environment.write { txn in
                runs += 1
                do {
                    for index in 0..<20 {
                        let key = StoreKey.uint64(UInt64(index))
                        try txn.put(snapshots, key, bytes(50_000, seed: index))
                    }
                } catch let error as StoreError where error.code == .mapFull {
                    swallowed += 1
                }
            }
            XCTAssertGreaterThan(swallowed, 0)
            XCTAssertEqual(runs, swallowed + 1)
            XCTAssertEqual(try environment.read { txn in try txn.count(snapshots) }, 20)
        }
    }

    func testTablesCanBeCreatedWhenTheMapIsFull() throws {
        let configuration = StoreConfiguration(
            initialMapBytes: Self.tinyMapBytes, maxMapBytes: 16 << 20, maxTables: 64)
        try withEnvironment(configuration) { environment, _ in
            var tables: [StoreTable] = []
            for index in 0..<40 {
                let table = try environment.table("table-\(index)")
                try environment.write { txn in try txn.put(table, [1], bytes(8_000, seed: index)) }
                tables.append(table)
            }
            try environment.read { txn in
                for (index, table) in tables.enumerated() {
                    XCTAssertEqual(try txn.get(table, [1]), bytes(8_000, seed: index))
                }
            }
        }
    }

    func testReadsOnOtherThreadsGoOnWhileTheMapGrows() throws {
        let configuration = StoreConfiguration(
            initialMapBytes: Self.tinyMapBytes, maxMapBytes: 64 << 20)
        try withEnvironment(configuration) { environment, _ in
            let snapshots = try environment.table("snapshots")
            let expected = bytes(100, seed: 0)
            try environment.write { txn in try txn.put(snapshots, [0], expected) }
            let failures = ThreadFailures()
            let writing = ManagedFlag()
            writing.set(true)

            let readersDone = DispatchGroup()
            for _ in 0..<3 {
                readersDone.enter()
                Thread {
                    defer { readersDone.leave() }
                    while writing.value {
                        do {
                            let value = try environment.read { txn in
                                try txn.get(snapshots, [0])
                            }
                            if value != expected {
                                failures.record("a read during growth saw another value")
                                return
                            }
                        } catch {
                            failures.record("read failed: \(error)")
                            return
                        }
                    }
                }.start()
            }

            for index in 1...120 {
                try environment.write { txn in
                    let key = StoreKey.uint64(UInt64(index))
                    try txn.put(snapshots, key, bytes(30_000, seed: index))
                }
            }
            writing.set(false)
            XCTAssertEqual(readersDone.wait(timeout: .now() + 60), .success)
            XCTAssertEqual(failures.all, [])
            XCTAssertGreaterThan(try environment.statistics.mapBytes, 3_000_000)
        }
    }
}
