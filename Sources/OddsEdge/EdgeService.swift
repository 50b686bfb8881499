import OddsModel
import Service
import Store
import Telemetry
import Transport

/// A running edge: the store, the feed client and its applier, the integrity checker and the
/// client API server, wired together.
final class EdgeService: Sendable {
    let logger: Logger
    let server: HTTPServer
    private let applier: FeedApplier
    private let feed: FeedClient
    private let client: HTTP2Client
    private let clientLoop: EventLoop
    private let betClients: HTTP2ClientPool
    private let betLoop: EventLoop
    private let checker: IntegrityChecker
    private let bootState: StoreBootState

    /// Connections to the upstream for bets. The origin answers a bet only after the commit
    /// of its group, so at 10,000 bets a second and a few milliseconds each, one connection's
    /// 100 streams would be the limit; four leave room for bursts and slow commits.
    static let betConnections = 4

    init(configuration: EdgeConfiguration, allocator: String) throws {
        let logger = Logger(
            label: "odds-edge", level: configuration.logLevel,
            metadata: ["edge.id": .string(configuration.edgeID)])
        self.logger = logger
        let registry = MetricsRegistry()
        let metrics = EdgeMetrics(registry: registry)
        let state = EdgeState(waitersGauge: metrics.readinessWaiters)

        var storeConfiguration = StoreConfiguration()
        storeConfiguration.maxMapBytes = configuration.storeMaxMapBytes
        // A process crash loses nothing without fsync (the page cache has it); a power loss
        // may lose the last interval, which the feed then resends from the cursor.
        storeConfiguration.durability = configuration.storeSyncIntervalMilliseconds == 0
            ? .full : .noSync
        let bootState = StoreBootState(
            directory: configuration.dataDirectory, bootID: StoreBootState.currentBootID())
        self.bootState = bootState
        let store: EdgeStore
        do {
            // Checked whatever this start will do: the record says how the store was last
            // written.
            if let reason = bootState.reasonToDiscard() {
                logger.warning("store.discarded", [
                    "data": .string(configuration.dataDirectory), "reason": .string(reason),
                ])
                try bootState.discardStore()
            }
            // Before the store is opened: opening a fresh one commits its tables.
            try bootState.markOpen(synced: storeConfiguration.durability == .full)
            store = try EdgeStore(
                directory: configuration.dataDirectory, configuration: storeConfiguration)
        } catch {
            throw UsageError("dataDirectory \(configuration.dataDirectory): \(error)")
        }
        if store.environment.staleReadersCleared > 0 {
            logger.warning("store.stale_readers_cleared", [
                "count": .int(Int64(store.environment.staleReadersCleared)),
            ])
        }

        clientLoop = try EventLoop(name: "upstream")
        client = try HTTP2Client(
            configuration: HTTP2ClientConfiguration(
                address: configuration.upstreamAddress, tls: configuration.upstreamTLS,
                connectTimeout: .seconds(2),
                backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(5))),
            loop: clientLoop)
        let staleAfter = configuration.streams.staleAfterMicros
        let streams = StreamHub(
            settings: configuration.streams, snapshots: StreamSnapshots(store: store),
            metrics: StreamMetrics(registry: registry),
            freshness: { state.freshness(staleAfterMicros: staleAfter) },
            start: (try? store.cursor().position) ?? .empty)
        let feedBox = FeedBox()
        let children = ChildEdges(edgeID: configuration.edgeID)
        applier = FeedApplier(
            store: store, state: state, metrics: metrics, logger: logger, streams: streams,
            children: children,
            syncIntervalMilliseconds: configuration.storeSyncIntervalMilliseconds,
            auditAppliedSequences: configuration.auditAppliedSequences,
            onResync: { session, _ in feedBox.feed?.resynchronise(session: session) })
        feed = FeedClient(
            settings: FeedClient.Settings(
                edgeID: configuration.edgeID, advertisedAddress: configuration.advertisedAddress,
                token: configuration.upstreamToken),
            client: client, applier: applier, state: state, metrics: metrics, logger: logger)
        feedBox.feed = feed
        checker = IntegrityChecker(
            client: client, token: configuration.upstreamToken, store: store, applier: applier,
            state: state, metrics: metrics, logger: logger)

        let routes = EdgeRoutes(
            store: store, state: state, metrics: metrics,
            staleAfterMicros: Int64(configuration.staleAfterMilliseconds) * 1000,
            cacheControl: "public, max-age=\(configuration.cacheMaxAgeSeconds)")
        let checker = self.checker
        var router = routes.router(
            integrity: { await checker.check() },
            adminToken: configuration.adminToken.map(BearerToken.init))
        // Bets travel on connections of their own, so a burst of bets never queues behind
        // the feed's frames, nor the feed behind bets; several, so that more bets can wait
        // on the origin's commits than one connection's stream limit allows.
        betLoop = try EventLoop(name: "bets")
        betClients = try HTTP2ClientPool(
            configuration: HTTP2ClientConfiguration(
                address: configuration.upstreamAddress, tls: configuration.upstreamTLS,
                connectTimeout: .seconds(2),
                backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(1))),
            connections: Self.betConnections, loop: betLoop)
        BetForwarder(
            clients: betClients, upstreamToken: configuration.upstreamToken,
            verifier: configuration.tokenVerifier, state: state, metrics: metrics,
            logger: logger, timeout: .milliseconds(configuration.betTimeoutMilliseconds),
            staleAfterMicros: staleAfter,
            relayToken: configuration.feedToken.map(BearerToken.init)
        ).add(to: &router)
        StreamRoutes.add(to: &router, hub: streams)
        if let feedToken = configuration.feedToken {
            EdgeFeedRoutes.add(
                to: &router, token: BearerToken(feedToken), hub: streams, store: store,
                children: children, logger: logger)
        }
        LivePage.add(to: &router)
        server = try HTTPServer(
            configuration: HTTPServerConfiguration(
                listeners: [ListenerConfiguration(
                    address: configuration.listen, tls: configuration.tls)],
                threads: configuration.threads,
                shutdownGrace: .milliseconds(configuration.shutdownGraceMilliseconds)),
            router: router, logger: logger, metrics: registry)
        do {
            try server.start()
        } catch {
            throw UsageError("cannot listen on \(configuration.listen): \(error)")
        }
        applier.start()
        feed.start()
        scheduleIntegrityChecks(every: configuration.integrityCheckIntervalSeconds)

        let cursor = state.snapshot.applied
        logger.info("edge.started", [
            "listen": .string(ProgramSupport.replacePort(
                in: configuration.listen, with: server.boundPorts[0])),
            "tls": .bool(configuration.tls != nil),
            "upstream": .string(configuration.upstreamAddress),
            "data": .string(configuration.dataDirectory),
            "cursor": .string("\(cursor)"),
            "threads": .int(Int64(server.eventLoops.loops.count)),
            "allocator": .string(allocator),
        ])
    }

    private func scheduleIntegrityChecks(every seconds: Int) {
        guard seconds > 0 else { return }
        let checker = self.checker
        let loop = clientLoop
        @Sendable func next() {
            loop.execute {
                _ = loop.scheduleTimer(after: .seconds(seconds)) {
                    Task {
                        _ = await checker.check()
                        next()
                    }
                }
            }
        }
        next()
    }

    /// Stops taking requests (in-flight ones finish within the grace), the feed, and the
    /// applier, which syncs the store last.
    func stop() {
        server.shutdown()
        feed.stop()
        client.close()
        betClients.close()
        applier.stop()
        if applier.storeIsOnDisk {
            do {
                try bootState.markClean()
            } catch {
                logger.error("store.boot_state_failed", ["error": .string("\(error)")])
            }
        } else {
            // Left `open`: after a power loss the store is set aside, not trusted.
            logger.error("store.not_marked_clean", ["reason": "the last sync failed"])
        }
        clientLoop.shutdown()
        betLoop.shutdown()
    }
}

/// Breaks the cycle between the applier (which asks for resynchronisations) and the feed
/// client (which feeds the applier).
final class FeedBox: @unchecked Sendable {
    // @unchecked: set once during start-up, before any frame flows; read-only after.
    var feed: FeedClient?
}
