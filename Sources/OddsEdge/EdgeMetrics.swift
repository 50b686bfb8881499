import Telemetry

/// The edge's counters and latencies, next to the transport's, at `/metrics`.
struct EdgeMetrics: Sendable {
    let registry: MetricsRegistry
    let changesApplied: Counter
    let applyLatency: Histogram
    let propagation: Histogram
    let applyFailures: Counter
    let appliedSequence: Gauge
    let lagChanges: Gauge
    let lagMilliseconds: Gauge
    let connected: Gauge
    let reconnects: Counter
    let resyncs: Counter
    let snapshotsApplied: Counter
    let integrityChecks: Counter
    let integrityRepairs: Counter
    let storeBytes: Gauge
    let readinessWaiters: Gauge
    let storeSync: Histogram
    let requests: RouteCounters
    let betsForwarded: Counter
    let betsRefused: Counter
    let betsUnavailable: Counter
    let betForwardLatency: Histogram
    let slowForwards: Counter

    init(registry: MetricsRegistry) {
        self.registry = registry
        changesApplied = registry.counter(
            "edge_changes_applied_total", help: "Changes applied to the store.")
        applyLatency = registry.histogram(
            "edge_apply_seconds", help: "Time to apply and commit one group of feed batches.")
        propagation = registry.histogram(
            "edge_propagation_seconds",
            help: "From the origin's commit of a change to its commit here (wall clocks).")
        applyFailures = registry.counter(
            "edge_apply_failures_total", help: "Feed batches the store refused.")
        appliedSequence = registry.gauge(
            "edge_applied_sequence", help: "The last sequence number applied.")
        lagChanges = registry.gauge(
            "edge_feed_lag_changes", help: "Changes the origin has published and this edge "
                + "has not applied yet.")
        lagMilliseconds = registry.gauge(
            "edge_feed_lag_milliseconds",
            help: "How long ago the oldest change not yet applied was published; 0 when "
                + "caught up.")
        connected = registry.gauge(
            "edge_feed_connected", help: "1 while the feed stream from upstream is open.")
        reconnects = registry.counter(
            "edge_feed_reconnects_total", help: "Feed streams dialled after the first.")
        resyncs = registry.counter(
            "edge_feed_resyncs_total",
            help: "Feed streams abandoned because a frame could not be applied in order.")
        snapshotsApplied = registry.counter(
            "edge_feed_snapshots_total", help: "Snapshots applied.")
        integrityChecks = registry.counter(
            "edge_integrity_checks_total", help: "Comparisons with the origin's digest.")
        integrityRepairs = registry.counter(
            "edge_integrity_repairs_total", help: "Markets repaired from the origin.")
        storeBytes = registry.gauge(
            "edge_store_bytes", help: "Bytes of the LMDB map in use.")
        storeSync = registry.histogram(
            "edge_store_sync_seconds",
            help: "Flushes of the store to disk (every storeSyncIntervalMs while it has "
                + "changes), off the applier's thread.")
        readinessWaiters = registry.gauge(
            "edge_readiness_waiters",
            help: "Requests to /readyz?after=N waiting for the store to move past N.")
        requests = RouteCounters(registry: registry)
        betsForwarded = registry.counter(
            "edge_bets_forwarded_total", help: "Bet requests answered by the origin.")
        betsRefused = registry.counter(
            "edge_bets_refused_total",
            help: "Bet requests refused at the edge (bad token, malformed, no idempotency key).")
        betsUnavailable = registry.counter(
            "edge_bets_unavailable_total",
            help: "Bet requests answered 503 because the origin could not be reached.")
        betForwardLatency = registry.histogram(
            "edge_bet_forward_seconds", help: "Time from forwarding a bet request to its answer.")
        slowForwards = registry.counter(
            "edge_bet_slow_forwards_total",
            help: "Bet requests the origin took over 50 ms to answer (each logged, at most "
                + "one line a second).")
    }
}

/// `edge_requests_total{route,status}`: one `Route` per route, found once at start, whose
/// common statuses are plain counters (no lock, no string on the request path).
final class RouteCounters: Sendable {
    private let registry: MetricsRegistry

    init(registry: MetricsRegistry) {
        self.registry = registry
    }

    func route(_ name: String) -> Route {
        Route(name: name, registry: registry)
    }

    final class Route: Sendable {
        private static let commonStatuses = [200, 304, 400, 404, 500, 503]
        private let name: String
        private let registry: MetricsRegistry
        private let common: [Counter]

        init(name: String, registry: MetricsRegistry) {
            self.name = name
            self.registry = registry
            common = Self.commonStatuses.map {
                registry.counter(
                    "edge_requests_total", help: "Client requests by route and status.",
                    labels: ["route": name, "status": String($0)])
            }
        }

        func record(status: Int) {
            if let index = Self.commonStatuses.firstIndex(of: status) {
                common[index].increment()
                return
            }
            registry.counter(
                "edge_requests_total", help: "Client requests by route and status.",
                labels: ["route": name, "status": String(status)]
            ).increment()
        }
    }
}
