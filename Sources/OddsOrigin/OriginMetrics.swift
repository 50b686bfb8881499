import Telemetry

/// The origin's own counters, next to the transport's, in Prometheus text at `/metrics`.
struct OriginMetrics: Sendable {
    let registry: MetricsRegistry
    let commits: Counter
    let changes: Counter
    let commitLatency: Histogram
    let commandsRefused: Counter
    let commitFailures: Counter
    let sequence: Gauge
    let logFirstSequence: Gauge
    let subscribers: Gauge
    let subscribersDropped: Counter
    let snapshotsSent: Counter
    let betsAccepted: Counter
    let betsRejected: Counter
    let betsReplayed: Counter
    let betsDelayed: Counter
    let slowPasses: Counter

    init(registry: MetricsRegistry) {
        self.registry = registry
        commits = registry.counter(
            "origin_commits_total", help: "LMDB commits of groups of changes.")
        changes = registry.counter(
            "origin_changes_total", help: "Changes sequenced, stored and published.")
        commitLatency = registry.histogram(
            "origin_commit_seconds", help: "Time to store and fsync one group of changes.")
        commandsRefused = registry.counter(
            "origin_commands_refused_total", help: "Admin commands refused by the rules.")
        commitFailures = registry.counter(
            "origin_commit_failures_total", help: "Commits the store refused (disk full, I/O).")
        sequence = registry.gauge(
            "origin_sequence", help: "The last sequence number committed.")
        logFirstSequence = registry.gauge(
            "origin_log_first_sequence", help: "The oldest change still in the delta log.")
        subscribers = registry.gauge(
            "origin_feed_subscribers", help: "Edges holding a live feed stream.")
        subscribersDropped = registry.counter(
            "origin_feed_subscribers_dropped_total",
            help: "Feed streams dropped because the edge fell too far behind.")
        snapshotsSent = registry.counter(
            "origin_feed_snapshots_total", help: "Snapshots sent to edges.")
        betsAccepted = registry.counter(
            "origin_bets_accepted_total", help: "Bets accepted and stored.")
        betsRejected = registry.counter(
            "origin_bets_rejected_total", help: "Bets decided and rejected (stored decisions).")
        betsReplayed = registry.counter(
            "origin_bets_replayed_total",
            help: "Retries answered with the first answer under their idempotency key.")
        betsDelayed = registry.counter(
            "origin_bets_delayed_total", help: "In-play bets held for their market's bet delay.")
        slowPasses = registry.counter(
            "origin_slow_passes_total",
            help: "Sequencer passes that took, or whose oldest bet waited, over 50 ms.")
    }
}
