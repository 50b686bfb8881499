import Foundation

/// Runs work on several new threads at once, for tests that race writers against each other.
enum Threads {
    /// How long a test waits for its threads before it fails instead of hanging.
    static let deadlineSeconds = 30

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
