import Dispatch
import Glibc
import Telemetry

/// What every program's `main` needs: a clean stop on SIGTERM and SIGINT, and error lines.
public enum ProgramSupport {
    /// Blocks until SIGTERM or SIGINT, runs `stop`, logs, and exits 0.
    public static func waitForTermination(logger: Logger, stop: @escaping @Sendable () -> Void)
        -> Never
    {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "signals")
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                logger.info("shutdown.started", ["signal": .int(Int64(number))])
                stop()
                logger.info("shutdown.finished")
                exit(0)
            }
            source.resume()
            return source
        }
        withExtendedLifetime(sources) {
            dispatchMain()
        }
    }

    /// Writes one line to stderr.
    public static func writeError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// `host:0` with the port actually bound.
    static func replacePort(in address: String, with port: Int) -> String {
        guard let colon = address.lastIndex(of: ":") else { return address }
        return address[..<colon] + ":\(port)"
    }
}
