import Foundation
import Store
import TestSupport
import XCTest

/// Two processes on one directory: readers that die inside a transaction, and a map grown by
/// the other process. The second process is this test bundle running a `ChildProcessRoles`
/// role.
final class MultiProcessTests: XCTestCase {
    /// Starts a child that holds a reader, waits until it does, and kills it.
    private func killChildHoldingAReader(in directory: TemporaryDirectory) throws {
        let child = try ChildProcess(role: "testRoleHoldReader", directory: directory.path)
        let marker = directory.file(ChildProcessRoles.holdingMarker)
        XCTAssertTrue(
            Eventually.wait(timeout: 60) { FileManager.default.fileExists(atPath: marker) },
            "the child never held its reader")
        child.kill()
        try FileManager.default.removeItem(atPath: marker)
    }

    func testStaleReaderOfADeadProcessIsClearedAtOpen() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // This process keeps the environment open throughout. Otherwise the next process to
        // open it would be alone and LMDB would reset the reader table anyway.
        let environment = try StoreEnvironment(directory: directory.path)
        XCTAssertEqual(environment.staleReadersCleared, 0)

        try killChildHoldingAReader(in: directory)
        XCTAssertEqual(try environment.statistics.readersInUse, 1, "the dead child's slot")

        let reporter = try ChildProcess(
            role: "testRoleReportStaleReaders", directory: directory.path)
        XCTAssertEqual(reporter.waitForExit(), 0)
        let report = try String(
            contentsOfFile: directory.file(ChildProcessRoles.clearedReport), encoding: .utf8)
        XCTAssertEqual(report, "1")
        XCTAssertEqual(try environment.statistics.readersInUse, 0)
        withExtendedLifetime(environment) {}
    }

    func testStaleReaderOfADeadProcessIsClearedOnDemand() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = try StoreEnvironment(directory: directory.path)

        try killChildHoldingAReader(in: directory)
        XCTAssertEqual(try environment.statistics.readersInUse, 1)
        XCTAssertEqual(try environment.clearStaleReaders(), 1)
        XCTAssertEqual(try environment.statistics.readersInUse, 0)
        XCTAssertEqual(try environment.clearStaleReaders(), 0)
    }

    func testAMapGrownByAnotherProcessIsAdopted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = try StoreEnvironment(
            directory: directory.path,
            configuration: StoreConfiguration(
                initialMapBytes: MapGrowthTests.tinyMapBytes, maxMapBytes: 64 << 20))
        let local = try environment.table("local")
        try environment.write { txn in try txn.put(local, [1], [1]) }
        XCTAssertEqual(try environment.statistics.mapBytes, MapGrowthTests.tinyMapBytes)

        let grower = try ChildProcess(role: "testRoleGrowMap", directory: directory.path)
        XCTAssertEqual(grower.waitForExit(), 0)

        // The first transaction finds the map grown past its own and must adopt it.
        let grown = try environment.table("grown")
        try environment.read { txn in
            XCTAssertEqual(try txn.count(grown), 100)
            XCTAssertEqual(try txn.get(grown, StoreKey.uint64(99)), bytes(40_000, seed: 99))
        }
        XCTAssertGreaterThan(try environment.statistics.mapBytes, 4_000_000)
        try environment.write { txn in try txn.put(local, [2], bytes(200_000, seed: 2)) }
        XCTAssertEqual(try environment.read { txn in try txn.count(local) }, 2)
    }

    func testAFullDiskIsAnErrorAndKeepsNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let child = try ChildProcess(
            role: "testRoleWriteBeyondTheFileSizeLimit", directory: directory.path)
        XCTAssertEqual(child.waitForExit(), 0)
        XCTAssertTrue(
            FileManager.default.fileExists(
                atPath: directory.file(ChildProcessRoles.diskFullReport)),
            "the child did not get through the full disk")

        // The file is sound for a process without the limit.
        let environment = try StoreEnvironment(directory: directory.path)
        let snapshots = try environment.table("snapshots")
        XCTAssertEqual(try environment.read { txn in try txn.count(snapshots) }, 2)
    }
}
