import Foundation
import Store
import TestSupport
import XCTest

/// The data file is kept a chunk of zeros longer than the pages in use, so that commits
/// overwrite blocks the file has rather than grow it (a growing file makes every flush commit
/// the file system's journal too).
final class DataFileRunwayTests: XCTestCase {
    private static let chunkBytes = 1 << 20

    private func fileBytes(_ directory: TemporaryDirectory) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(
            atPath: directory.file("data.mdb"))
        return (attributes[.size] as? NSNumber)?.intValue ?? -1
    }

    func testEveryCommitLeavesAChunkOfFileBeyondThePagesInUse() throws {
        try withEnvironment { environment, directory in
            let table = try environment.table("values")
            for index in 0..<60 {
                try environment.write { txn in
                    // 100 KB a commit: the file must keep growing ahead of the pages.
                    for part in 0..<10 {
                        let key = StoreKey.uint64(UInt64(index * 10 + part))
                        try txn.put(table, key, bytes(10_000, seed: index + part))
                    }
                }
                let statistics = try environment.statistics
                let size = try fileBytes(directory)
                XCTAssertGreaterThanOrEqual(
                    size - statistics.usedBytes, Self.chunkBytes,
                    "commit \(index): \(size) bytes of file, \(statistics.usedBytes) in use")
                XCTAssertLessThanOrEqual(size - statistics.usedBytes, 2 * Self.chunkBytes)
            }
        }
    }

    func testTheFileNeverGrowsPastTheMapAndWhatWasWrittenReadsBackAfterReopening() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // A map of 64 KiB, so the runway is cut short by the map and the map grows under it.
        let configuration = StoreConfiguration(initialMapBytes: 64 << 10, maxMapBytes: 64 << 20)
        do {
            let environment = try StoreEnvironment(
                directory: directory.path, configuration: configuration)
            let table = try environment.table("values")
            try environment.write { txn in try txn.put(table, [0], [1]) }
            XCTAssertLessThanOrEqual(try fileBytes(directory), 64 << 10)
            for index in 1...300 {
                try environment.write { txn in
                    try txn.put(table, StoreKey.uint64(UInt64(index)), bytes(9_000, seed: index))
                }
                XCTAssertLessThanOrEqual(
                    try fileBytes(directory), try environment.statistics.mapBytes)
            }
        }
        let reopened = try StoreEnvironment(
            directory: directory.path, configuration: configuration)
        let table = try reopened.table("values")
        try reopened.read { txn in
            XCTAssertEqual(try txn.count(table), 301)
            XCTAssertEqual(try txn.get(table, [0]), [1])
            for index in 1...300 {
                XCTAssertEqual(
                    try txn.get(table, StoreKey.uint64(UInt64(index))), bytes(9_000, seed: index))
            }
        }
        try reopened.write { txn in try txn.put(table, [1], [2]) }
        XCTAssertEqual(try reopened.read { try $0.get(table, [1]) }, [2])
    }
}
