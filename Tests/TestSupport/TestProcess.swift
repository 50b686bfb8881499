import Foundation
import Glibc

/// A real program of this package started for a test, with its stderr captured. Killed on
/// `stop()` and when released.
public final class TestProcess: @unchecked Sendable {
    // @unchecked: a test drives one TestProcess from one task; Process is thread-safe for the
    // calls made here.

    public let process = Process()
    public let logPath: String
    private let directory: TemporaryDirectory

    /// The directory holding this package's built products (beside the test bundle).
    public static var productsDirectory: String {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent("odds-edge").path
            if FileManager.default.fileExists(atPath: candidate) {
                return url.path
            }
            url = url.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug").path
    }

    /// Starts product `name` with `arguments`.
    public init(_ name: String, _ arguments: [String]) throws {
        directory = try TemporaryDirectory()
        logPath = directory.file("stderr.log")
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(
            fileURLWithPath: (Self.productsDirectory as NSString).appendingPathComponent(name))
        process.arguments = arguments
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        stop()
        directory.remove()
    }

    /// What the process has written to stderr so far.
    public var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Waits until a log line contains `text`; returns that line, or nil at the deadline or
    /// when the process exits first.
    public func waitForLogLine(containing text: String, timeout: Double = 20) -> String? {
        var found: String?
        _ = Eventually.wait(timeout: timeout) {
            found = log.split(separator: "\n").first { $0.contains(text) }.map(String.init)
            return found != nil || !process.isRunning
        }
        return found
    }

    /// The port from the start line's `"listen":"host:port"` (the first address).
    public func waitForListenPort(timeout: Double = 20) -> Int? {
        guard let line = waitForLogLine(containing: "\"listen\":", timeout: timeout),
            let range = line.range(of: "\"listen\":\"")
        else { return nil }
        let rest = line[range.upperBound...].prefix { $0 != "\"" && $0 != "," }
        return rest.split(separator: ":").last.flatMap { Int($0) }
    }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit; returns its status, or nil at the deadline.
    public func waitForExit(timeout: Double = 20) -> Int32? {
        guard Eventually.wait(timeout: timeout, { !process.isRunning }) else { return nil }
        return process.terminationStatus
    }

    /// Kills the process (SIGKILL) if it still runs, and reaps it.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            // Foundation's waitUntilExit can spin; wait on the flag with a deadline instead.
            _ = Eventually.wait(timeout: 10) { !process.isRunning }
        }
    }
}
