import Foundation
import Glibc
import Store
import TestSupport
import XCTest

/// This test bundle started again as a second process that runs one role of
/// `ChildProcessRoles`, for tests that need two processes on one LMDB directory.
final class ChildProcess {
    /// The variable naming the role; the roles skip themselves without it.
    static let roleVariable = "ODDSNET_STORE_CHILD_ROLE"

    /// The variable naming the store directory the role works on.
    static let directoryVariable = "ODDSNET_STORE_CHILD_DIRECTORY"

    let process = Process()

    /// Starts the role `role` (a test method of `ChildProcessRoles`) on `directory`.
    init(role: String, directory: String) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["StoreTests.ChildProcessRoles/\(role)"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.roleVariable] = role
        environment[Self.directoryVariable] = directory
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        kill()
    }

    /// Kills the process with SIGKILL, as a crash would, and reaps it.
    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            _ = Eventually.wait(timeout: 30) { !process.isRunning }
        }
    }

    /// Waits for the process to exit; returns its status, or nil at the deadline.
    func waitForExit(timeout: Double = 60) -> Int32? {
        guard Eventually.wait(timeout: timeout, { !process.isRunning }) else {
            return nil
        }
        return process.terminationStatus
    }
}

/// What a child process does; each role is a test that skips itself unless it runs as a
/// child (see `ChildProcess`).
final class ChildProcessRoles: XCTestCase {
    /// The file a role creates once it holds a read transaction.
    static let holdingMarker = "reader-holding"

    /// The file a role writes the count of stale readers its open cleared to.
    static let clearedReport = "stale-readers-cleared"

    /// How long a role holding a reader waits to be killed before it gives up.
    static let holdSeconds = 120.0

    private func directory(for role: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        guard environment[ChildProcess.roleVariable] == role,
            let directory = environment[ChildProcess.directoryVariable]
        else {
            throw XCTSkip("runs only as a child process of the multi-process store tests")
        }
        return directory
    }

    /// Opens a read transaction, says so with a marker file, and waits to be killed in it.
    func testRoleHoldReader() throws {
        let directory = try directory(for: "testRoleHoldReader")
        let environment = try StoreEnvironment(directory: directory)
        try environment.read { _ in
            XCTAssertTrue(
                FileManager.default.createFile(
                    atPath: directory + "/" + Self.holdingMarker, contents: nil))
            _ = Eventually.wait(timeout: Self.holdSeconds) { false }
        }
    }

    /// Opens the environment and reports how many stale readers the open cleared.
    func testRoleReportStaleReaders() throws {
        let directory = try directory(for: "testRoleReportStaleReaders")
        let environment = try StoreEnvironment(directory: directory)
        let report = Array(String(environment.staleReadersCleared).utf8)
        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: directory + "/" + Self.clearedReport, contents: Data(report)))
    }

    /// The file a role writes once a write beyond the file size limit failed as it should.
    static let diskFullReport = "disk-full-handled"

    /// Writes beyond a file size limit (`RLIMIT_FSIZE`, which makes the commit's writes fail
    /// with `EFBIG` as a full disk would with `ENOSPC`): the write must fail with `.diskFull`
    /// and keep nothing, and the store must go on.
    func testRoleWriteBeyondTheFileSizeLimit() throws {
        let directory = try directory(for: "testRoleWriteBeyondTheFileSizeLimit")
        let limitBytes: rlim_t = 1 << 20
        var limit = rlimit(rlim_cur: limitBytes, rlim_max: limitBytes)
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit), 0)
        // The kernel also sends SIGXFSZ, which would kill the process before LMDB sees EFBIG.
        signal(SIGXFSZ, SIG_IGN)

        let environment = try StoreEnvironment(directory: directory)
        let snapshots = try environment.table("snapshots")
        try environment.write { txn in try txn.put(snapshots, [0], bytes(100_000, seed: 0)) }

        assertStoreError(.diskFull) {
            try environment.write { txn in
                for index in 1...40 {
                    let key = StoreKey.uint64(UInt64(index))
                    try txn.put(snapshots, key, bytes(50_000, seed: index))
                }
            }
        }
        try environment.read { txn in
            XCTAssertEqual(try txn.count(snapshots), 1)
            XCTAssertEqual(try txn.get(snapshots, [0]), bytes(100_000, seed: 0))
        }
        try environment.write { txn in try txn.put(snapshots, [1], [1]) }
        XCTAssertEqual(try environment.read { txn in try txn.count(snapshots) }, 2)

        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: directory + "/" + Self.diskFullReport, contents: nil))
    }

    /// Grows the map of the environment far past its starting size with ~4 MB of writes.
    func testRoleGrowMap() throws {
        let directory = try directory(for: "testRoleGrowMap")
        let environment = try StoreEnvironment(
            directory: directory,
            configuration: StoreConfiguration(initialMapBytes: 64 << 10, maxMapBytes: 64 << 20))
        let grown = try environment.table("grown")
        for index in 0..<100 {
            try environment.write { txn in
                try txn.put(grown, StoreKey.uint64(UInt64(index)), bytes(40_000, seed: index))
            }
        }
    }
}
