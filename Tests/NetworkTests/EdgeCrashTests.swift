import JSON
import OddsModel
import Store
import TestSupport
import Transport
import XCTest

/// kill -9 an edge in the middle of a stream of changes: after a restart it ends with exactly
/// the origin's state, having applied every sequence number exactly once. The proof comes from
/// the edge's own store, where each application is counted in the transaction that applies it.
final class EdgeCrashTests: XCTestCase {
    func testEdgeKilledDuringTenThousandChangesAppliesEachSequenceOnce() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(
            id: "edge-1", upstream: origin.feedAddress,
            settings: ["auditAppliedSequences": true])
        try edge.start()
        // Subscribed before the first change, the edge receives every change in a batch (a
        // snapshot would apply the first ones without counting them one by one).
        let subscribed = await edge.waitForReady()
        XCTAssertTrue(subscribed, "the edge never became ready")
        let markets = 200
        try await origin.seedCard(markets: markets)

        let mover = Task {
            try await origin.movePrices(count: 10_000, markets: markets, batchSize: 50)
        }
        let seeded = try await origin.sequence()
        let killAt = seeded + 2_000
        let progressed = await edge.waitForSequence(killAt, timeout: 60)
        XCTAssertTrue(progressed, "the edge never reached \(killAt)")
        edge.kill9()
        // Let the origin move on while the edge is down, then bring it back mid-stream.
        let downUntil = killAt + 2_000
        let deadline = Date().addingTimeInterval(60)
        while try await origin.sequence() < downUntil, Date() < deadline {
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        try edge.start()
        try await mover.value

        let head = try await origin.sequence()
        // A price equal to the current one is no change, so a few of the 10,000 add nothing.
        XCTAssertGreaterThan(head, seeded + 9_900)
        let caughtUp = await edge.waitForSequence(head, timeout: 60)
        let reachedSequence = await edge.appliedSequence()
        XCTAssertTrue(caughtUp, "the edge stopped at \(reachedSequence) of \(head)")
        let originMarkets = try await originMarketDocuments(origin)
        XCTAssertEqual(edge.terminate(), 0)

        let store = try StoreEnvironment(directory: edge.dataDirectory)
        let audit = try store.table("applied_audit")
        let marketsTable = try store.table("markets")
        var applied: [UInt64: UInt32] = [:]
        var edgeMarkets: [String: [UInt8]] = [:]
        try store.read { txn in
            try txn.forEach(audit) { key, value in
                applied[StoreKey.uint64(from: key) ?? 0] =
                    UInt32(littleEndian: value.loadUnaligned(as: UInt32.self))
                return true
            }
            try txn.forEach(marketsTable) { key, record in
                let wireLength = Int(record.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
                edgeMarkets[String(decoding: key, as: UTF8.self)] =
                    Array(record[(20 + wireLength)...])
                return true
            }
        }
        XCTAssertEqual(applied.count, Int(head), "sequence numbers applied")
        let missing = (1...UInt64(head)).filter { applied[$0] == nil }
        XCTAssertEqual(missing, [], "never applied")
        let repeated = applied.filter { $0.value != 1 }.keys.sorted()
        XCTAssertEqual(repeated, [], "applied more than once")
        XCTAssertEqual(edgeMarkets.count, markets)
        for (id, document) in originMarkets {
            XCTAssertEqual(
                try edgeMarkets[id].map { withoutPublishTimes(try JSONParser.parse($0)) },
                try JSONParser.parse(document), id)
        }
    }

    private func originMarketDocuments(_ origin: OriginNode) async throws -> [String: [UInt8]] {
        let response = try await origin.request(.get, "/v1/admin/markets")
        var documents: [String: [UInt8]] = [:]
        for market in try JSONParser.parse(response.body).arrayValue ?? [] {
            guard let id = market.objectValue?["id"]?.stringValue else { continue }
            documents[id] = market.serialized()
        }
        return documents
    }
}
