import Locks
import OddsModel

/// The edges this edge feeds, as their acknowledgements describe them: passed up in this
/// edge's own acknowledgements, so the origin can list the whole tree. Any thread.
final class ChildEdges: Sendable {
    private struct Child {
        var address: String
        var position: FeedPosition
        var connected: Bool
        var connectedSinceMicros: Int64
        var acknowledgedAtMicros: Int64
        var integrity: IntegrityReport.Outcome
        var downstream: [EdgeReport]
    }

    private struct State {
        var children: [String: Child] = [:]
        /// What `reports` answers, made again whenever a child changes: this edge sends an
        /// acknowledgement after every commit, and most have nothing new to say.
        var reports: [EdgeReport] = []
    }

    let edgeID: String
    private let state = Lock(State())

    init(edgeID: String) {
        self.edgeID = edgeID
    }

    func connected(id: String, address: String, position: FeedPosition) {
        let now = WallClock.micros()
        change {
            $0[id] = Child(
                address: address, position: position, connected: true,
                connectedSinceMicros: now, acknowledgedAtMicros: now, integrity: .unchecked,
                downstream: [])
        }
    }

    func acknowledged(id: String, _ ack: FeedAcknowledgementView) {
        let now = WallClock.micros()
        change { children in
            children[id]?.position = ack.position
            children[id]?.acknowledgedAtMicros = now
            if ack.integrity.checkedAtMicros > 0 {
                children[id]?.integrity = ack.integrity.outcome
            }
            children[id]?.downstream = ack.downstream
        }
    }

    func disconnected(id: String) {
        change { $0[id]?.connected = false }
    }

    /// The edges below this one: its children (tier 1, relative to it), and what they report
    /// of theirs, one tier further down.
    var reports: [EdgeReport] {
        state.withLock { $0.reports }
    }

    private func change(_ body: (inout [String: Child]) -> Void) {
        state.withLock { state in
            body(&state.children)
            state.reports = Self.reports(of: state.children, parent: edgeID)
        }
    }

    private static func reports(of children: [String: Child], parent edgeID: String)
        -> [EdgeReport]
    {
        var reports: [EdgeReport] = []
        for (id, child) in children.sorted(by: { $0.key < $1.key }) {
            reports.append(EdgeReport(
                id: id, address: child.address, parent: edgeID, tier: 1,
                position: child.position, connected: child.connected,
                connectedSinceMicros: child.connectedSinceMicros,
                acknowledgedAtMicros: child.acknowledgedAtMicros, integrity: child.integrity))
            for var below in child.downstream {
                below.tier += 1
                below.connected = below.connected && child.connected
                reports.append(below)
            }
        }
        return Array(reports.prefix(EdgeReport.maxPerAcknowledgement))
    }
}

/// The parts of an acknowledgement the registry keeps.
struct FeedAcknowledgementView: Sendable {
    var position: FeedPosition
    var integrity: IntegrityReport
    var downstream: [EdgeReport]
}
