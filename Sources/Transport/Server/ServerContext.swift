import Telemetry

/// What every connection of one server shares: routing, limits, logging and metrics.
final class ServerContext: Sendable {
    let router: Router
    let limits: ServerLimits
    let logger: Logger
    let metrics: TransportMetrics

    init(router: Router, limits: ServerLimits, logger: Logger, metrics: TransportMetrics) {
        self.router = router
        self.limits = limits
        self.logger = logger
        self.metrics = metrics
    }
}

/// The transport's counters, registered once per server.
public struct TransportMetrics: Sendable {
    public let connectionsAccepted: Counter
    public let connectionsOpen: Gauge
    public let connectionsShed: Counter
    public let requests: Counter
    public let streamsRefused: Counter
    public let protocolErrors: Counter
    public let timeouts: Counter
    public let requestLatency: Histogram

    /// Registers the transport's metric families in `registry`.
    public init(registry: MetricsRegistry) {
        connectionsAccepted = registry.counter(
            "transport_connections_accepted_total", help: "Connections accepted.")
        connectionsOpen = registry.gauge(
            "transport_connections_open", help: "Connections open now.")
        connectionsShed = registry.counter(
            "transport_connections_shed_total",
            help: "Connections closed at accept because the process had no descriptors left.")
        requests = registry.counter(
            "transport_requests_total", help: "Requests handed to handlers.")
        streamsRefused = registry.counter(
            "transport_streams_refused_total",
            help: "Requests refused: REFUSED_STREAM resets, 413 and 431 answers.")
        protocolErrors = registry.counter(
            "transport_protocol_errors_total", help: "Connections closed for protocol errors.")
        timeouts = registry.counter(
            "transport_timeouts_total", help: "Connections or streams ended by a timeout.")
        requestLatency = registry.histogram(
            "transport_request_duration_seconds",
            help: "Time from a request's last byte to its response being queued.")
    }
}
