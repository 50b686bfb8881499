import Locks
import OddsModel
import Telemetry

/// What the origin knows of each edge that has dialled its feed, and of the edges below them
/// (as their parents report them): where each stands, how far behind it is, and whether its
/// last integrity check matched. Any thread.
final class EdgeRegistry: Sendable {
    struct Record: Sendable {
        var id: String
        var address: String
        var connected: Bool
        var connectedSinceMicros: Int64
        var position: FeedPosition
        var acknowledgedAtMicros: Int64
        var integrity: IntegrityReport
        /// The edge feeding this one: `origin` for the edges that dial the origin.
        var parent = "origin"
        var tier = 1
        /// The edges below this one, as it last reported them.
        var downstream: [EdgeReport] = []
    }

    /// The origin's head and when each recent group of changes was published, for lag in
    /// milliseconds.
    private struct Head {
        var position = FeedPosition.empty
        /// (last sequence of a group, published at), oldest first, bounded.
        var groups: [(UInt64, Int64)] = []
    }

    private static let maxGroups = 8192
    private let records = Lock<[String: Record]>([:])
    private let head = Lock(Head())
    private let metrics: MetricsRegistry

    init(metrics: MetricsRegistry) {
        self.metrics = metrics
    }

    /// The sequencer moved the head to `position` at `micros`.
    func published(_ position: FeedPosition, atMicros micros: Int64) {
        head.withLock { head in
            if head.position.epoch != position.epoch {
                head.groups.removeAll()
            }
            head.position = position
            head.groups.append((position.sequence, micros))
            if head.groups.count > Self.maxGroups {
                head.groups.removeFirst(head.groups.count - Self.maxGroups / 2)
            }
        }
    }

    func connected(id: String, address: String, position: FeedPosition) {
        let now = WallClock.micros()
        records.withLock { records in
            var record = records[id] ?? Record(
                id: id, address: address, connected: true, connectedSinceMicros: now,
                position: position, acknowledgedAtMicros: now, integrity: IntegrityReport())
            record.address = address
            record.connected = true
            record.connectedSinceMicros = now
            record.position = position
            records[id] = record
        }
    }

    func acknowledged(
        id: String, position: FeedPosition, integrity: IntegrityReport,
        downstream: [EdgeReport] = []
    ) {
        let now = WallClock.micros()
        records.withLock { records in
            records[id]?.position = position
            records[id]?.acknowledgedAtMicros = now
            records[id]?.downstream = downstream
            if integrity.checkedAtMicros > 0 {
                records[id]?.integrity = integrity
            }
        }
    }

    func disconnected(id: String) {
        records.withLock { $0[id]?.connected = false }
    }

    /// Every edge seen since the origin started, with its lag, by id.
    func list() -> [(record: Record, lagChanges: UInt64, lagMilliseconds: Int64)] {
        let now = WallClock.micros()
        let head = self.head.withLock { $0 }
        let direct = records.withLock { Array($0.values) }
        var all = direct
        for parent in direct {
            for report in parent.downstream where !direct.contains(where: { $0.id == report.id }) {
                all.append(Record(
                    id: report.id, address: report.address,
                    connected: parent.connected && report.connected,
                    connectedSinceMicros: report.connectedSinceMicros, position: report.position,
                    acknowledgedAtMicros: report.acknowledgedAtMicros,
                    integrity: IntegrityReport(outcome: report.integrity),
                    // Reports count tiers from the edge that sent them.
                    parent: report.parent, tier: parent.tier + report.tier))
            }
        }
        return all.sorted { ($0.tier, $0.id) < ($1.tier, $1.id) }.map { record in
            guard record.position.epoch == head.position.epoch else {
                return (record, head.position.sequence, -1)
            }
            let behind = head.position.sequence &- min(record.position.sequence,
                head.position.sequence)
            guard behind > 0 else { return (record, 0, 0) }
            let firstMissing = record.position.sequence + 1
            let published = head.groups.first { $0.0 >= firstMissing }?.1 ?? now
            return (record, behind, max(0, (now - published) / 1000))
        }
    }

    /// Sets the per-edge lag gauges; called when metrics are scraped.
    func updateGauges() {
        for (record, lagChanges, lagMilliseconds) in list() {
            let labels = ["edge": record.id]
            metrics.gauge(
                "origin_edge_lag_changes", help: "Changes the edge has not applied yet.",
                labels: labels
            ).set(Int(clamping: lagChanges))
            metrics.gauge(
                "origin_edge_lag_milliseconds",
                help: "Age of the oldest change the edge has not applied yet.", labels: labels
            ).set(Int(lagMilliseconds))
            metrics.gauge(
                "origin_edge_connected", help: "1 while the edge holds a feed stream.",
                labels: labels
            ).set(record.connected ? 1 : 0)
        }
    }
}
