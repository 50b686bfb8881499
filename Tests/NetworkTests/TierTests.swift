import Foundation
import JSON
import TestSupport
import XCTest

/// Three tiers of real processes: an origin, an edge it feeds, and an edge fed by that
/// edge. The lowest converges, takes bets that travel up to the origin, shows in the
/// origin's list of edges with its tier and parent, and loses nothing when the middle edge
/// is killed and restarted.
final class TierTests: XCTestCase {
    static let tierToken = "tier-feed-token-0123456789"

    private func lowerEdge(below middle: EdgeNode, keys: String? = nil) throws -> EdgeNode {
        var settings: [String: Any] = [
            "upstream": ["address": "127.0.0.1:\(middle.port)", "token": Self.tierToken],
            "auditAppliedSequences": true,
        ]
        if let keys {
            settings["tokenKeys"] = [["id": "k1", "publicKeyFile": keys]]
        }
        return try EdgeNode(id: "edge-low", upstream: "", settings: settings)
    }

    func testAThreeTierChainConvergesTakesBetsAndListsEveryEdge() async throws {
        let network = try await BetNetwork(edgeSettings: ["feedToken": Self.tierToken])
        let origin = network.origin
        let middle = network.edges[0]
        try await origin.seedCard(markets: 30)
        let lower = try lowerEdge(below: middle, keys: network.signingKey.publicKey)
        try lower.start()
        let ready = await lower.waitForReady()
        XCTAssertTrue(ready, "the lower edge never caught up")
        XCTAssertNotNil(lower.process?.waitForLogLine(containing: "feed.snapshot_applied"))

        try await origin.movePrices(count: 300, markets: 30, batchSize: 30)
        let head = try await origin.sequence()
        let reached = await lower.waitForSequence(head)
        XCTAssertTrue(reached, "the lower edge did not follow the changes")
        try await assertSameMarkets(origin, lower)
        let stream = try await lower.get("/v1/markets/m3")
        XCTAssertEqual(stream.status, 200)

        // A bet at the lowest tier is decided at the origin, through the middle edge.
        try await network.openAccount("low", deposit: 10_000)
        let token = try await network.token(for: "low")
        let market = try JSONParser.parse(stream.body).objectValue
        let price = StreamTests.price(market, "home") ?? "?"
        let placed = try await lower.placeBet(
            token: token, key: "tier-1",
            json: EdgeNode.betJSON(market: "m3", price: price, stake: 500))
        XCTAssertEqual(placed.status, 201, placed.text)
        let account = try await network.account("low")
        XCTAssertEqual(account["balance"]?.int64Value, 9_500)
        let mine = try await lower.getAsCustomer("/v1/accounts/me/bets", token: token)
        XCTAssertEqual(try JSONParser.parse(mine.body).arrayValue?.count, 1, mine.text)

        // The origin lists both edges, the lower one at tier 2 under the middle one.
        let listed = try await eventually(timeout: 10) {
            let edges = try await origin.request(.get, "/v1/admin/edges")
            let rows = try JSONParser.parse(edges.body).arrayValue ?? []
            return rows.contains { row in
                row.objectValue?["id"]?.stringValue == "edge-low"
                    && row.objectValue?["tier"]?.int64Value == 2
                    && row.objectValue?["parent"]?.stringValue == middle.id
                    && row.objectValue?["appliedSequence"]?.int64Value == head
            }
        }
        XCTAssertTrue(listed, "the origin does not list the lower edge with its tier")
        let table = try Command.run(
            TestProcess.productsDirectory + "/oddsctl",
            ["--origin", "http://127.0.0.1:\(origin.adminPort)", "--token", OriginNode.adminToken,
             "edges"])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("TIER"), table.stdout)
        XCTAssertTrue(table.stdout.contains("edge-low"), table.stdout)
    }

    func testKillingTheMiddleEdgeLosesNothingBelowIt() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 50)
        let middle = try EdgeNode(
            id: "edge-mid", upstream: origin.feedAddress, settings: ["feedToken": Self.tierToken])
        try middle.start()
        let middleReady = await middle.waitForReady()
        XCTAssertTrue(middleReady)
        let lower = try lowerEdge(below: middle)
        try lower.start()
        let lowerReady = await lower.waitForReady()
        XCTAssertTrue(lowerReady)

        let feed = PriceFeed(origin: origin, markets: 50, rate: 500)
        feed.start()
        let moving = await lower.waitForSequence(try await origin.sequence() + 200)
        XCTAssertTrue(moving)
        middle.kill9()
        let stale = try await eventually(timeout: 5) {
            try await origin.sequence() > Int64(await lower.appliedSequence()) + 200
        }
        XCTAssertTrue(stale, "changes went on while the middle edge was down")
        try middle.start()
        try await Task.sleep(nanoseconds: 500_000_000)
        try await feed.stop()
        let head = try await origin.sequence()
        let caughtUp = await lower.waitForSequence(head)
        XCTAssertTrue(caughtUp, "the lower edge did not catch up after the middle edge came back")
        try await assertSameMarkets(origin, lower)
        try await assertSameMarkets(origin, middle)
        let resyncs = await lower.metric("edge_feed_resyncs_total")
        XCTAssertEqual(resyncs, 0, "nothing out of order reached the lower edge")
    }
}
