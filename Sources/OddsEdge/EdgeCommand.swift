import Dispatch
import Glibc
import Service
import Telemetry
import Transport

/// `odds-edge`: argument parsing and wiring. Exit status 0 on a clean stop, 2 on a usage or
/// start-up error (one line on stderr naming what is wrong).
public enum EdgeCommand {
    struct Options {
        var config: String?
        var demo = false
        var listen: [String] = []
        var tlsCertificate: String?
        var tlsKey: String?
        var threads: Int?
        var logLevel = LogLevel.info
        var demoMarkets = 1000
        var shutdownGraceMilliseconds = 10_000
    }

    static let usage = """
        usage: odds-edge --config FILE
               odds-edge --demo --listen HOST:PORT [--listen HOST:PORT ...]
                         [--tls-cert FILE --tls-key FILE] [--threads N]
                         [--demo-markets N] [--shutdown-grace-ms MS] [--log-level LEVEL]
        """

    /// Runs the program; `allocator` names the malloc the program was linked with, for the
    /// start line.
    public static func main(arguments: [String], allocator: String = "system") -> Never {
        ProgramSupport.blockTerminationSignals()
        let running: RunningEdge
        do {
            let options = try parse(arguments)
            if let config = options.config {
                let service = try EdgeService(
                    configuration: try EdgeConfiguration.load(path: config), allocator: allocator)
                ProgramSupport.waitForTermination(logger: service.logger) {
                    service.stop()
                }
            }
            running = try start(options, allocator: allocator)
        } catch let error as UsageError {
            fail(error.message)
        } catch {
            fail("\(error)")
        }
        ProgramSupport.waitForTermination(logger: running.logger) {
            running.server.shutdown()
        }
    }

    /// What `start` leaves running.
    struct RunningEdge {
        let server: HTTPServer
        let logger: Logger
    }

    /// Builds the demo card and the server, binds every listener and logs the start line.
    /// Throws a transport error (a port in use, a certificate that cannot be read).
    static func start(_ options: Options, allocator: String) throws -> RunningEdge {
        let logger = Logger(label: "odds-edge", level: options.logLevel)
        let metrics = MetricsRegistry()
        let card = DemoCard(count: options.demoMarkets)
        let router = DemoRoutes.router(card: card, metrics: metrics)
        let tls = options.tlsCertificate.map {
            TLSServerConfiguration(certificatePath: $0, keyPath: options.tlsKey ?? $0)
        }
        let configuration = HTTPServerConfiguration(
            listeners: options.listen.map { ListenerConfiguration(address: $0, tls: tls) },
            threads: options.threads,
            shutdownGrace: .milliseconds(options.shutdownGraceMilliseconds))
        let server = try HTTPServer(
            configuration: configuration, router: router, logger: logger, metrics: metrics)
        try server.start()

        let addresses = zip(options.listen, server.boundPorts).map { address, port in
            ProgramSupport.replacePort(in: address, with: port)
        }
        logger.info("edge.started", [
            "mode": "demo", "listen": .string(addresses.joined(separator: ",")),
            "tls": .bool(tls != nil), "markets": .int(Int64(card.ids.count)),
            "threads": .int(Int64(server.eventLoops.loops.count)),
            "allocator": .string(allocator),
        ])
        return RunningEdge(server: server, logger: logger)
    }

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var remaining = arguments[...]
        func value(_ flag: String) throws(UsageError) -> String {
            guard let next = remaining.popFirst() else {
                throw UsageError("\(flag) needs a value\n\(usage)")
            }
            return next
        }
        while let argument = remaining.popFirst() {
            switch argument {
            case "--config": options.config = try value(argument)
            case "--demo": options.demo = true
            case "--listen": options.listen.append(try value(argument))
            case "--tls-cert": options.tlsCertificate = try value(argument)
            case "--tls-key": options.tlsKey = try value(argument)
            case "--threads":
                let text = try value(argument)
                guard let threads = Int(text), threads > 0, threads <= 256 else {
                    throw UsageError("--threads: expected 1 to 256, got \(text)")
                }
                options.threads = threads
            case "--demo-markets":
                let text = try value(argument)
                guard let count = Int(text), count > 0, count <= 1_000_000 else {
                    throw UsageError("--demo-markets: expected 1 to 1000000, got \(text)")
                }
                options.demoMarkets = count
            case "--shutdown-grace-ms":
                let text = try value(argument)
                guard let grace = Int(text), grace >= 0, grace <= 600_000 else {
                    throw UsageError("--shutdown-grace-ms: expected 0 to 600000, got \(text)")
                }
                options.shutdownGraceMilliseconds = grace
            case "--log-level":
                let text = try value(argument)
                guard let level = LogLevel(name: text) else {
                    throw UsageError("--log-level: unknown level \(text)")
                }
                options.logLevel = level
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw UsageError("unknown argument \(argument)\n\(usage)")
            }
        }
        if options.config != nil {
            guard !options.demo, options.listen.isEmpty else {
                throw UsageError("--config goes alone: listeners come from the file\n\(usage)")
            }
            return options
        }
        guard options.demo else {
            throw UsageError("--config FILE or --demo is required\n\(usage)")
        }
        guard !options.listen.isEmpty else { throw UsageError("--listen is required\n\(usage)") }
        if (options.tlsCertificate == nil) != (options.tlsKey == nil) {
            throw UsageError("--tls-cert and --tls-key go together")
        }
        return options
    }

    private static func fail(_ message: String) -> Never {
        ProgramSupport.writeError("odds-edge: \(message)")
        exit(2)
    }
}
