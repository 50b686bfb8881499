import Foundation
import Store
import TestSupport
import XCTest

final class StoreEnvironmentTests: XCTestCase {
    func testOpenCreatesMissingDirectories() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let nested = directory.file("edge/data/store")

        let environment = try StoreEnvironment(directory: nested)

        XCTAssertEqual(environment.directory, nested)
        XCTAssertEqual(environment.staleReadersCleared, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested + "/data.mdb"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: nested + "/lock.mdb"))
    }

    func testOpenFailsCleanlyWhereNoDirectoryCanBe() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("plain-file")
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: Data([1, 2, 3])))

        XCTAssertThrowsError(try StoreEnvironment(directory: file + "/store")) { error in
            XCTAssertTrue(error is StoreError, "\(error)")
        }
        assertStoreError(.invalidArgument) { try StoreEnvironment(directory: "") }
    }

    func testConfigurationOutOfRangeIsAnErrorOrClamped() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        assertStoreError(.invalidArgument) {
            try StoreEnvironment(
                directory: directory.path, configuration: .init(initialMapBytes: 0))
        }
        assertStoreError(.invalidArgument) {
            try StoreEnvironment(directory: directory.path, configuration: .init(maxMapBytes: 100))
        }
        assertStoreError(.invalidArgument) {
            try StoreEnvironment(directory: directory.path, configuration: .init(maxReaders: 0))
        }
        assertStoreError(.invalidArgument) {
            try StoreEnvironment(directory: directory.path, configuration: .init(maxTables: -1))
        }

        // None of the refusals left the directory registered as open. A start above the
        // largest map starts at the largest.
        let environment = try StoreEnvironment(
            directory: directory.path,
            configuration: .init(initialMapBytes: .max, maxMapBytes: 1 << 16))
        XCTAssertEqual(try environment.statistics.mapBytes, 1 << 16)
    }

    func testSecondOpenOfADirectoryInOneProcessIsRefused() throws {
        try withEnvironment { environment, directory in
            assertStoreError(.alreadyOpen) { try StoreEnvironment(directory: directory.path) }
            // Another spelling of the same directory is the same directory.
            assertStoreError(.alreadyOpen) {
                try StoreEnvironment(directory: directory.path + "/./")
            }
        }
    }

    func testReopenAfterCloseKeepsData() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = StoreKey.uint64(7)

        var environment: StoreEnvironment? = try StoreEnvironment(directory: directory.path)
        let markets = try environment!.table("markets")
        try environment!.write { txn in try txn.put(markets, key, [1, 2, 3]) }
        environment = nil

        let reopened = try StoreEnvironment(directory: directory.path)
        let again = try reopened.table("markets")
        XCTAssertEqual(try reopened.read { txn in try txn.get(again, key) }, [1, 2, 3])
        XCTAssertEqual(reopened.staleReadersCleared, 0)
    }

    func testNoSyncDurabilityKeepsDataAcrossReopenAfterSync() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let configuration = StoreConfiguration(durability: .noSync)

        var environment: StoreEnvironment? = try StoreEnvironment(
            directory: directory.path, configuration: configuration)
        let log = try environment!.table("log")
        for sequence in 1...100 as ClosedRange<UInt64> {
            try environment!.write { txn in
                try txn.put(log, StoreKey.uint64(sequence), bytes(64, seed: Int(sequence)))
            }
        }
        try environment!.sync()
        environment = nil

        let reopened = try StoreEnvironment(directory: directory.path)
        let again = try reopened.table("log")
        try reopened.read { txn in
            XCTAssertEqual(try txn.count(again), 100)
            XCTAssertEqual(try txn.get(again, StoreKey.uint64(100)), bytes(64, seed: 100))
        }
    }

    func testTablesAreCachedSeparateAndLimited() throws {
        try withEnvironment(StoreConfiguration(maxTables: 2)) { environment, _ in
            let markets = try environment.table("markets")
            let cursor = try environment.table("cursor")
            XCTAssertEqual(try environment.table("markets"), markets)
            XCTAssertNotEqual(markets, cursor)
            XCTAssertEqual(markets.name, "markets")

            try environment.write { txn in
                try txn.put(markets, [1], [10])
                try txn.put(cursor, [1], [20])
            }
            try environment.read { txn in
                XCTAssertEqual(try txn.get(markets, [1]), [10])
                XCTAssertEqual(try txn.get(cursor, [1]), [20])
                // A cached table may be asked for inside a transaction.
                XCTAssertEqual(try environment.table("cursor"), cursor)
            }

            assertStoreError(.tablesFull) { try environment.table("bets") }
            assertStoreError(.badValueSize) { try environment.table("") }
            assertStoreError(.badValueSize) { try environment.table("a\u{0}b") }
            assertStoreError(.badValueSize) {
                try environment.table(String(repeating: "n", count: 600))
            }
        }
    }

    func testStatisticsDescribeTheEnvironment() throws {
        let configuration = StoreConfiguration(initialMapBytes: 1 << 20, maxReaders: 8)
        try withEnvironment(configuration) { environment, _ in
            let markets = try environment.table("markets")
            try environment.write { txn in
                for index in 0..<100 {
                    try txn.put(markets, StoreKey.uint64(UInt64(index)), bytes(100, seed: index))
                }
            }

            let statistics = try environment.statistics
            XCTAssertEqual(statistics.mapBytes, 1 << 20)
            XCTAssertEqual(statistics.pageSize, Int(sysconf(Int32(_SC_PAGESIZE))))
            XCTAssertGreaterThan(statistics.usedBytes, 2 * statistics.pageSize)
            XCTAssertLessThanOrEqual(statistics.usedBytes, statistics.mapBytes)
            XCTAssertEqual(statistics.readersInUse, 0)
            XCTAssertGreaterThanOrEqual(statistics.maxReaders, 8)
            XCTAssertGreaterThanOrEqual(statistics.lastTransactionID, 2)

            let readersInside = try environment.read { _ in
                try environment.statistics.readersInUse
            }
            XCTAssertEqual(readersInside, 1)
            let nested = try environment.read { _ in
                try environment.read { _ in try environment.statistics.readersInUse }
            }
            XCTAssertEqual(nested, 2)
            XCTAssertEqual(try environment.clearStaleReaders(), 0)
        }
    }
}
