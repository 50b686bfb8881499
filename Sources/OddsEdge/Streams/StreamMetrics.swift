import Telemetry

/// The live streams' counters, at `/metrics` with the edge's.
struct StreamMetrics: Sendable {
    let clients: Gauge
    let opened: Counter
    let shed: Counter
    let eventsSent: Counter
    let conflations: Counter
    let resumes: Counter
    let resets: Counter
    let historyChanges: Gauge
    let delivery: Histogram

    init(registry: MetricsRegistry) {
        clients = registry.gauge("edge_stream_clients", help: "Open /v1/stream clients.")
        opened = registry.counter("edge_streams_opened_total", help: "Streams started.")
        shed = registry.counter(
            "edge_streams_shed_total",
            help: "Streams turned away while the edge had its most clients (told to retry).")
        eventsSent = registry.counter(
            "edge_stream_events_total", help: "Events and notices written to stream clients.")
        conflations = registry.counter(
            "edge_stream_conflations_total",
            help: "Times a slow client was sent the latest state instead of every change.")
        resumes = registry.counter(
            "edge_stream_resumes_total",
            help: "Streams resumed from Last-Event-ID with exactly what they missed.")
        resets = registry.counter(
            "edge_stream_resets_total",
            help: "Streams sent a reset and a fresh snapshot (history gone, or a resync).")
        historyChanges = registry.gauge(
            "edge_stream_history_changes", help: "Changes kept for resuming streams.")
        delivery = registry.histogram(
            "edge_stream_delivery_seconds",
            help: "From the origin's commit of a change to its write to stream clients.")
    }
}
