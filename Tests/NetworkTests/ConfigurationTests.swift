import Foundation
import Glibc
import TestSupport
import XCTest

/// A configuration the programs cannot use makes them exit with status 2 and one stderr line
/// that names what is wrong: the key, the file or the port.
final class ConfigurationTests: XCTestCase {
    // MARK: odds-origin

    func testOriginWithoutArgumentsExitsTwo() throws {
        let outcome = try run("odds-origin", [])
        XCTAssertEqual(outcome.status, 2, outcome.log)
        XCTAssertTrue(outcome.log.contains("--config"), outcome.log)
    }

    func testOriginMissingFileIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("absent.json")
        assertRefusal(try run("odds-origin", ["--config", path]), naming: [path])
    }

    func testOriginFileThatIsNotJSONIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("origin.json")
        try Data("listen = 127.0.0.1:9000\n".utf8).write(to: URL(fileURLWithPath: path))
        assertRefusal(try run("odds-origin", ["--config", path]), naming: [path])
    }

    func testOriginUnknownKeyIsNamed() throws {
        let outcome = try runOrigin(["lisen": "127.0.0.1:0"])
        assertRefusal(outcome, naming: ["lisen"])
    }

    func testOriginMissingAdminTokenIsNamed() throws {
        assertRefusal(try runOrigin(removing: ["adminToken"]), naming: ["adminToken"])
    }

    func testOriginShortTokenIsNamed() throws {
        assertRefusal(try runOrigin(["adminToken": "short"]), naming: ["adminToken"])
    }

    func testOriginHeartbeatOfTheWrongTypeIsNamed() throws {
        assertRefusal(
            try runOrigin(["heartbeatIntervalMs": "fast"]), naming: ["heartbeatIntervalMs"])
    }

    func testOriginHeartbeatOutOfRangeIsNamed() throws {
        assertRefusal(try runOrigin(["heartbeatIntervalMs": 5]), naming: ["heartbeatIntervalMs"])
    }

    func testOriginBadListenAddressIsNamed() throws {
        assertRefusal(try runOrigin(["listen": "nonsense"]), naming: ["listen", "nonsense"])
    }

    func testOriginMissingCertificateIsNamed() throws {
        let outcome = try runOrigin([
            "tls": ["certificate": "missing-cert.pem", "key": "missing-key.pem"],
        ])
        assertRefusal(outcome, namingAnyOf: ["missing-cert.pem", "tls", "TLS"])
    }

    func testOriginPortHeldByAnotherProgramIsNamed() throws {
        let held = try HeldPort()
        let address = "127.0.0.1:\(held.port)"
        assertRefusal(try runOrigin(["listen": address]), naming: [address])
    }

    func testOriginPortHeldByAnotherOriginIsNamed() throws {
        let first = try OriginNode()
        try first.start()
        assertRefusal(try runOrigin(["listen": first.feedAddress]), naming: [first.feedAddress])
    }

    func testOriginDataDirectoryThatCannotBeCreatedIsNamed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("a file, not a folder\n".utf8)
            .write(to: URL(fileURLWithPath: directory.file("blocker")))
        let outcome = try runOrigin(["dataDirectory": "blocker/data"], in: directory)
        assertRefusal(outcome, naming: ["dataDirectory"])
    }

    func testOriginRelativeDataDirectoryIsTakenFromTheConfigFolder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        XCTAssertNotEqual(FileManager.default.currentDirectoryPath, directory.path)
        let path = try write(Self.origin, to: directory, as: "origin.json")

        let process = try TestProcess("odds-origin", ["--config", path])
        defer { process.stop() }
        let started = process.waitForLogLine(containing: "origin.started")
        XCTAssertNotNil(started, process.log)
        XCTAssertTrue(
            started?.contains("\"data\":\"\(directory.file("data"))\"") ?? false,
            started ?? "")
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: directory.file("data/data.mdb")),
            "no store next to the configuration file")

        process.send(SIGTERM)
        XCTAssertEqual(process.waitForExit(timeout: 10), 0, process.log)
    }

    // MARK: odds-edge

    func testEdgeConfigWithDemoExitsTwo() throws {
        let outcome = try run("odds-edge", ["--config", "x", "--demo"])
        XCTAssertEqual(outcome.status, 2, outcome.log)
        XCTAssertTrue(outcome.log.contains("--config"), outcome.log)
    }

    func testEdgeUnknownKeyIsNamed() throws {
        assertRefusal(try runEdge(["lisen": "127.0.0.1:0"]), naming: ["lisen"])
    }

    func testEdgeOriginBlockWithoutTokenIsNamed() throws {
        let outcome = try runEdge(["origin": ["address": "127.0.0.1:1"]])
        assertRefusal(outcome, naming: ["origin.token"])
    }

    func testEdgeBadIDIsNamed() throws {
        assertRefusal(try runEdge(["edgeID": "edge one"]), naming: ["edgeID"])
    }

    func testEdgeNegativeStaleAfterIsNamed() throws {
        assertRefusal(try runEdge(["staleAfterMs": -1]), naming: ["staleAfterMs"])
    }

    func testEdgePortHeldByAnotherProgramIsNamed() throws {
        let held = try HeldPort()
        let address = "127.0.0.1:\(held.port)"
        assertRefusal(try runEdge(["listen": address]), naming: [address])
    }

    func testEdgePortHeldByAnOriginIsNamed() throws {
        let origin = try OriginNode()
        try origin.start()
        assertRefusal(try runEdge(["listen": origin.feedAddress]), naming: [origin.feedAddress])
    }

    // MARK: Configurations

    /// A configuration `odds-origin` accepts: every port picked by the kernel.
    static var origin: [String: Any] {
        [
            "dataDirectory": "data",
            "listen": "127.0.0.1:0",
            "adminListen": "127.0.0.1:0",
            "adminToken": OriginNode.adminToken,
            "feedToken": OriginNode.feedToken,
        ]
    }

    /// A configuration `odds-edge` accepts; its origin is never reached in these tests.
    static var edge: [String: Any] {
        [
            "edgeID": "edge-1",
            "listen": "127.0.0.1:0",
            "dataDirectory": "data",
            "origin": ["address": "127.0.0.1:1", "token": OriginNode.feedToken],
        ]
    }

    /// What a program did with its arguments: its exit status (nil when it did not exit) and
    /// everything it wrote to stderr.
    struct Outcome {
        let status: Int32?
        let log: String
    }

    private func runOrigin(
        _ changes: [String: Any] = [:], removing: [String] = [],
        in directory: TemporaryDirectory? = nil
    ) throws -> Outcome {
        try runProgram("odds-origin", Self.origin, changes, removing, directory)
    }

    private func runEdge(_ changes: [String: Any] = [:], removing: [String] = []) throws
        -> Outcome
    {
        try runProgram("odds-edge", Self.edge, changes, removing, nil)
    }

    private func runProgram(
        _ program: String, _ base: [String: Any], _ changes: [String: Any],
        _ removing: [String], _ folder: TemporaryDirectory?
    ) throws -> Outcome {
        let directory = try folder ?? TemporaryDirectory()
        defer {
            if folder == nil { directory.remove() }
        }
        var configuration = base.merging(changes) { _, new in new }
        for key in removing {
            configuration[key] = nil
        }
        let path = try write(configuration, to: directory, as: "\(program).json")
        return try run(program, ["--config", path])
    }

    /// Runs `program` until it exits. A program that wrongly accepts its configuration logs
    /// its start line; the wait ends there rather than at the deadline, and it is killed.
    private func run(_ program: String, _ arguments: [String]) throws -> Outcome {
        let process = try TestProcess(program, arguments)
        defer { process.stop() }
        let started = process.waitForLogLine(containing: ".started", timeout: 10)
        let status = started == nil ? process.waitForExit(timeout: 10) : nil
        return Outcome(status: status, log: process.log)
    }

    private func write(
        _ configuration: [String: Any], to directory: TemporaryDirectory, as name: String
    ) throws -> String {
        let path = directory.file(name)
        try JSONSerialization
            .data(withJSONObject: configuration, options: [.sortedKeys, .withoutEscapingSlashes])
            .write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Exit status 2 and exactly one stderr line containing every word of `naming`.
    private func assertRefusal(
        _ outcome: Outcome, naming words: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        assertOneLine(outcome, file: file, line: line)
        for word in words {
            XCTAssertTrue(
                outcome.log.contains(word), "stderr does not name \(word):\n\(outcome.log)",
                file: file, line: line)
        }
    }

    /// Exit status 2 and exactly one stderr line containing at least one of `words`.
    private func assertRefusal(
        _ outcome: Outcome, namingAnyOf words: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        assertOneLine(outcome, file: file, line: line)
        XCTAssertTrue(
            words.contains { outcome.log.contains($0) },
            "stderr names none of \(words):\n\(outcome.log)", file: file, line: line)
    }

    private func assertOneLine(_ outcome: Outcome, file: StaticString, line: UInt) {
        XCTAssertEqual(
            outcome.status, 2, "exit status; stderr:\n\(outcome.log)", file: file, line: line)
        let lines = outcome.log.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "stderr lines:\n\(outcome.log)", file: file, line: line)
    }
}

/// A loopback port held by a plain listening socket, as a program that is not ours would
/// hold it: without SO_REUSEPORT, so nobody else can bind it while it lives.
private final class HeldPort {
    let descriptor: Int32
    let port: Int

    init() throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let descriptor = self.descriptor
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && Glibc.listen(descriptor, 8) == 0
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        guard descriptor >= 0, listening else {
            let number = errno
            close(descriptor)
            throw NetworkTestError.unexpected("cannot hold a port: errno \(number)")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}
