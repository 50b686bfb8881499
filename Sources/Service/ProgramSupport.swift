import Glibc
import Telemetry

/// What every program's `main` needs: a clean stop on SIGTERM and SIGINT, and error lines.
public enum ProgramSupport {
    /// Blocks SIGTERM and SIGINT in the calling thread and in every thread started after it,
    /// so they stay pending until `waitForTermination` takes them: a signal sent at any moment
    /// after this call, even before the program has finished starting, is never lost.
    /// Call first thing in `main`, before any thread starts.
    public static func blockTerminationSignals() {
        var set = terminationSignals()
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits for SIGTERM or SIGINT, runs `stop`, logs, and exits 0.
    public static func waitForTermination(logger: Logger, stop: () -> Void) -> Never {
        var set = terminationSignals()
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        logger.info("shutdown.started", ["signal": .int(Int64(received))])
        stop()
        logger.info("shutdown.finished")
        exit(0)
    }

    /// Writes one line to stderr.
    public static func writeError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// `host:0` with the port actually bound.
    public static func replacePort(in address: String, with port: Int) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        return address[..<colon] + ":\(port)"
    }

    private static func terminationSignals() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        return set
    }
}

/// A command line or configuration that cannot be used; the message is for the operator.
public struct UsageError: Error, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
