import Glibc
import OddsModel
import Service
import Store
import Telemetry
import Transport

/// `odds-origin --config FILE [--new-epoch]`: argument parsing and wiring. Exit status 0 on
/// a clean stop, 2 on a usage, configuration or start-up error (one line naming the key,
/// file or port at fault).
public enum OriginCommand {
    static let usage = "usage: odds-origin --config FILE [--new-epoch]"

    /// Runs the program. `allocator` names the malloc it was linked with, for the start line.
    public static func main(arguments: [String], allocator: String = "system") -> Never {
        ProgramSupport.blockTerminationSignals()
        let origin: RunningOrigin
        do {
            origin = try start(arguments: arguments, allocator: allocator)
        } catch let error as UsageError {
            fail(error.message)
        } catch {
            fail("\(error)")
        }
        ProgramSupport.waitForTermination(logger: origin.logger) {
            origin.stop()
        }
    }

    struct RunningOrigin {
        let logger: Logger
        let feedServer: HTTPServer
        let adminServer: HTTPServer
        let sequencer: Sequencer
        let grace: Duration64

        func stop() {
            adminServer.shutdown(grace: grace)
            sequencer.stop()
            feedServer.shutdown(grace: .milliseconds(100))
        }
    }

    static func start(arguments: [String], allocator: String) throws -> RunningOrigin {
        var configPath: String?
        var newEpoch = false
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            switch argument {
            case "--config":
                guard let path = remaining.popFirst() else {
                    throw UsageError("--config needs a file\n\(usage)")
                }
                configPath = path
            case "--new-epoch":
                newEpoch = true
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw UsageError("unknown argument \(argument)\n\(usage)")
            }
        }
        guard let configPath else { throw UsageError("--config is required\n\(usage)") }
        let configuration = try OriginConfiguration.load(path: configPath)

        let logger = Logger(label: "odds-origin", level: configuration.logLevel)
        let registry = MetricsRegistry()
        let metrics = OriginMetrics(registry: registry)
        let store: OriginStore
        do {
            var storeConfiguration = StoreConfiguration()
            storeConfiguration.maxMapBytes = configuration.storeMaxMapBytes
            store = try OriginStore(
                directory: configuration.dataDirectory, configuration: storeConfiguration)
        } catch {
            throw UsageError("dataDirectory \(configuration.dataDirectory): \(error)")
        }
        let loaded = try store.load(newEpoch: newEpoch)
        // From here on the sequencer thread is the only writer.
        store.environment.releaseWriterThread()
        if store.environment.staleReadersCleared > 0 {
            logger.warning("store.stale_readers_cleared", [
                "count": .int(Int64(store.environment.staleReadersCleared)),
            ])
        }
        let edges = EdgeRegistry(metrics: registry)
        let sequencer = Sequencer(
            store: store, loaded: loaded, configuration: configuration, edges: edges,
            metrics: metrics, logger: logger)

        var limits = ServerLimits()
        limits.maxRequestBodyBytes = configuration.maxRequestBodyBytes
        // A trading feed's batch of thousands of prices must fit the per-connection buffer.
        limits.maxBufferedRequestBytes = max(
            limits.maxBufferedRequestBytes, configuration.maxRequestBodyBytes)
        let grace = Duration64.milliseconds(configuration.shutdownGraceMilliseconds)
        let feedServer = try HTTPServer(
            configuration: HTTPServerConfiguration(
                listeners: [ListenerConfiguration(
                    address: configuration.listen, tls: configuration.tls)],
                limits: limits, threads: configuration.threads, shutdownGrace: grace),
            router: FeedRoutes.router(
                sequencer: sequencer, edges: edges, store: store,
                token: BearerToken(configuration.feedToken), metrics: registry, logger: logger),
            logger: logger, metrics: registry)
        let adminServer = try HTTPServer(
            configuration: HTTPServerConfiguration(
                listeners: [ListenerConfiguration(
                    address: configuration.adminListen, tls: configuration.tls)],
                limits: limits, threads: 1, shutdownGrace: grace, threadName: "admin"),
            router: AdminRoutes.router(
                sequencer: sequencer, edges: edges, store: store,
                token: BearerToken(configuration.adminToken), configuration: configuration),
            logger: logger, metrics: registry)
        sequencer.start()
        try bind(feedServer, configuration.listen)
        try bind(adminServer, configuration.adminListen)

        logger.info("origin.started", [
            "listen": .string(ProgramSupport.replacePort(
                in: configuration.listen, with: feedServer.boundPorts[0])),
            "admin_listen": .string(ProgramSupport.replacePort(
                in: configuration.adminListen, with: adminServer.boundPorts[0])),
            "tls": .bool(configuration.tls != nil),
            "data": .string(configuration.dataDirectory),
            "epoch": .string(FeedPosition.hex(loaded.position.epoch)),
            "epoch_new": .bool(loaded.epochIsNew),
            "sequence": .int(Int64(clamping: loaded.position.sequence)),
            "markets": .int(Int64(loaded.book.markets.count)),
            "allocator": .string(allocator),
        ])
        return RunningOrigin(
            logger: logger, feedServer: feedServer, adminServer: adminServer,
            sequencer: sequencer, grace: grace)
    }

    private static func bind(_ server: HTTPServer, _ address: String) throws {
        do {
            try server.start()
        } catch {
            throw UsageError("cannot listen on \(address): \(error)")
        }
    }

    private static func fail(_ message: String) -> Never {
        ProgramSupport.writeError("odds-origin: \(message)")
        exit(2)
    }
}
