import Foundation
import JSON
import Locks
import OddsClient
import OddsModel
import TestSupport

/// A live-odds client on edges under test that keeps every update it receives, so a test
/// can wait for one and check the whole story afterwards.
final class StreamRecorder: @unchecked Sendable {
    // @unchecked: `client` is set once in init; the rest is behind `updates`' lock.
    private let updates = Lock<[Recorded]>([])
    private var client: LiveOddsClient!

    struct Recorded {
        var update: LiveOddsClient.Update
        var at: Date
    }

    init(edges: [EdgeNode], query: String = "", lastEventID: String? = nil,
         silenceMilliseconds: Int = 3000) throws
    {
        let addresses = edges.map { EdgeAddress("http://127.0.0.1:\($0.port)")! }
        client = try LiveOddsClient(
            settings: .init(edges: addresses, query: query,
                            silenceTimeout: .milliseconds(silenceMilliseconds),
                            lastEventID: lastEventID),
            onUpdate: { [updates] update in
                updates.withLock { $0.append(Recorded(update: update, at: Date())) }
            })
    }

    func start() async {
        await client.start()
    }

    func stop() {
        client.stop()
    }

    var lastEventID: String? {
        client.lastEventID
    }

    /// The events received, in order.
    var events: [ServerSentEventMessage] {
        updates.withLock { recorded in
            recorded.compactMap {
                if case .event(let event, _) = $0.update { return event }
                return nil
            }
        }
    }

    var edgesConnected: [EdgeAddress] {
        updates.withLock { recorded in
            recorded.compactMap {
                if case .connected(let edge) = $0.update { return edge }
                return nil
            }
        }
    }

    var lostReasons: [String] {
        updates.withLock { recorded in
            recorded.compactMap {
                if case .lost(_, let reason) = $0.update { return reason }
                return nil
            }
        }
    }

    /// Waits until an event satisfies `match`; false at the deadline.
    func waitForEvent(
        timeout: Double = 20, _ match: (ServerSentEventMessage) -> Bool
    ) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if events.contains(where: match) {
                return true
            }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return events.contains(where: match)
    }

    /// The sequence numbers of the `market` and `event` events received, in order.
    var changeSequences: [UInt64] {
        events.filter { $0.event == "market" || $0.event == "event" }.compactMap {
            Self.sequence(of: $0.lastEventID)
        }
    }

    static func sequence(of id: String) -> UInt64? {
        StreamEventID.parse(id)?.sequence
    }

    /// The latest document received for each market, from snapshots and changes.
    var latestMarkets: [String: JSONObject] {
        var markets: [String: JSONObject] = [:]
        for event in events {
            guard let value = try? JSONParser.parse(Array(event.data.utf8)) else { continue }
            switch event.event {
            case "snapshot":
                for case .object(let market) in value.objectValue?["markets"]?.arrayValue ?? [] {
                    if let id = market["id"]?.stringValue { markets[id] = market }
                }
            case "market":
                if let market = value.objectValue, let id = market["id"]?.stringValue {
                    markets[id] = market
                }
            default:
                break
            }
        }
        return markets
    }
}
