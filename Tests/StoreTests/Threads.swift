import Foundation

/// Runs work on several new threads at once, for tests that race readers and writers.
enum Threads {
    /// How long a test waits for its threads before it fails instead of hanging.
    static let deadlineSeconds = 60

    /// Starts `count` threads, each running `body` with its index, and waits for all of them.
    /// Returns false if they did not all finish within `deadlineSeconds`.
    static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) -> Bool {
        let finished = DispatchGroup()
        for index in 0..<count {
            finished.enter()
            Thread {
                body(index)
                finished.leave()
            }.start()
        }
        return finished.wait(timeout: .now() + .seconds(deadlineSeconds)) == .success
    }
}

/// Failures seen on other threads, reported by the test's thread afterwards.
final class ThreadFailures: @unchecked Sendable {
    // @unchecked: `messages` is only touched while `lock` is held.
    private let lock = NSLock()
    private var messages: [String] = []

    func record(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        messages.append(message)
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}

/// A Boolean shared between the test thread and its readers.
final class ManagedFlag: @unchecked Sendable {
    // @unchecked: `flag` is only touched while `lock` is held.
    private let lock = NSLock()
    private var flag = false

    var value: Bool {
        lock.lock()
        defer { lock.unlock() }
        return flag
    }

    func set(_ value: Bool) {
        lock.lock()
        defer { lock.unlock() }
        flag = value
    }
}

/// Bytes handed from one thread to another.
final class ValueBox: @unchecked Sendable {
    // @unchecked: `stored` is only touched while `lock` is held.
    private let lock = NSLock()
    private var stored: [UInt8]?

    var value: [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func set(_ value: [UInt8]?) {
        lock.lock()
        defer { lock.unlock() }
        stored = value
    }
}
