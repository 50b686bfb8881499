import JSON
import OddsModel
import Service
import Store
import Telemetry
import Transport

/// Compares the edge's markets with the origin's, market by market, and repairs the ones
/// that differ from the origin: on a schedule and on demand.
///
/// A market counts as differing when the edge has applied at least as far as the origin's
/// list and still holds another version, or the same version with other content (a record
/// damaged on disk), or a market the origin does not have. Markets the edge simply has not
/// received yet are left to the feed.
final class IntegrityChecker: Sendable {
    private let client: HTTP2Client
    private let token: String
    private let store: EdgeStore
    private let applier: FeedApplier
    private let state: EdgeState
    private let metrics: EdgeMetrics
    private let logger: Logger

    init(
        client: HTTP2Client, token: String, store: EdgeStore, applier: FeedApplier,
        state: EdgeState, metrics: EdgeMetrics, logger: Logger
    ) {
        self.client = client
        self.token = token
        self.store = store
        self.applier = applier
        self.state = state
        self.metrics = metrics
        self.logger = logger
    }

    /// Runs one check now and returns what it found; nil when it could not run (origin away,
    /// or the edge is resynchronising).
    func check() async -> IntegrityReport? {
        metrics.integrityChecks.increment()
        guard let origin = await originDigests() else { return nil }
        guard let local = localDigests(), local.position.epoch == origin.position.epoch else {
            return nil
        }
        let caughtUp = local.position.sequence >= origin.position.sequence
        var repair: [String] = []
        for (id, (version, hash)) in origin.markets {
            guard let mine = local.markets[id] else {
                if caughtUp { repair.append(id) }
                continue
            }
            if mine.version == version, mine.hash != hash {
                repair.append(id)
            } else if mine.version < version, caughtUp {
                repair.append(id)
            }
        }
        let extra = caughtUp
            ? local.markets.keys.filter { origin.markets[$0] == nil } : []
        let now = WallClock.micros()
        guard !repair.isEmpty || !extra.isEmpty else {
            return record(IntegrityReport(outcome: .matched, checkedAtMicros: now))
        }
        logger.warning("integrity.mismatch", [
            "markets": .string((repair + extra).sorted().prefix(20).joined(separator: ",")),
            "count": .int(Int64(repair.count + extra.count)),
        ])
        var fetched: [Market] = []
        if !repair.isEmpty {
            guard let markets = await fetchMarkets(repair) else {
                return record(IntegrityReport(outcome: .mismatched, checkedAtMicros: now))
            }
            fetched = markets
        }
        let written = await withCheckedContinuation { continuation in
            applier.submit(.repair(fetched, delete: extra) { continuation.resume(returning: $0) })
        }
        metrics.integrityRepairs.increment(by: written)
        logger.warning("integrity.repaired", ["markets": .int(Int64(written))])
        return record(IntegrityReport(
            outcome: written == repair.count + extra.count ? .repaired : .mismatched,
            checkedAtMicros: now, marketsRepaired: written))
    }

    private func record(_ report: IntegrityReport) -> IntegrityReport {
        state.update { $0.integrity = report }
        applier.submit(.acknowledge)
        return report
    }

    private struct Digests {
        var position: FeedPosition
        var markets: [String: (version: UInt64, hash: UInt64)]
    }

    private func originDigests() async -> Digests? {
        let request = HTTPClientRequest(
            path: "/v1/digest/markets", headers: ["authorization": "Bearer \(token)"],
            timeout: .seconds(10))
        guard let response = try? await client.execute(request), response.status == 200,
            let value = try? JSONParser.parse(response.body),
            let object = value.objectValue,
            let epoch = object["epoch"]?.stringValue.flatMap({ UInt64($0, radix: 16) }),
            let sequence = object["sequence"]?.int64Value,
            let items = object["markets"]?.arrayValue
        else {
            logger.warning("integrity.origin_unavailable")
            return nil
        }
        var markets: [String: (UInt64, UInt64)] = [:]
        for item in items {
            guard let fields = item.arrayValue, fields.count == 3,
                let id = fields[0].stringValue, let version = fields[1].int64Value,
                let hash = fields[2].stringValue.flatMap({ UInt64($0, radix: 16) })
            else { continue }
            markets[id] = (UInt64(version), hash)
        }
        return Digests(
            position: FeedPosition(epoch: epoch, sequence: UInt64(sequence)), markets: markets)
    }

    private func localDigests() -> Digests? {
        do {
            let (position, markets) = try store.marketDigests()
            return Digests(position: position, markets: markets)
        } catch {
            logger.error("integrity.local_read_failed", ["error": .string("\(error)")])
            return nil
        }
    }

    /// Fetches markets in groups small enough for a request line.
    private func fetchMarkets(_ ids: [String]) async -> [Market]? {
        var fetched: [Market] = []
        var start = 0
        while start < ids.count {
            let group = ids[start..<min(ids.count, start + Self.idsPerRequest)]
            start += group.count
            let request = HTTPClientRequest(
                path: "/v1/feed/markets?ids=" + group.joined(separator: ","),
                headers: ["authorization": "Bearer \(token)"], timeout: .seconds(10))
            guard let response = try? await client.execute(request), response.status == 200
            else { return nil }
            var decoder = FeedFrameDecoder()
            decoder.append(response.body)
            guard case .snapshotPart(_, let markets)? = try? decoder.next() else { return nil }
            fetched += markets
        }
        return fetched
    }

    private static let idsPerRequest = 100
}
