import JSON
import TestSupport
import Transport
import XCTest

/// Settling, resettling and voiding against amounts worked out by hand: each payout is
/// stake × price × dead-heat share, rounded down to the minor unit.
final class SettlementTests: XCTestCase {
    func testWinDeadHeatVoidAndResettlementPayExactly() async throws {
        let network = try await BetNetwork()
        let origin = network.origin
        let edge = network.edges[0]
        try await origin.seedCard(markets: 2)
        try await network.openAccount("a1", deposit: 100_000)
        try await network.openAccount("a2", deposit: 100_000)
        let t1 = try await network.token(for: "a1")
        let t2 = try await network.token(for: "a2")

        // m0: home 2.10, draw 3.40, away 3.75.
        var firstAnswers: [(token: String, key: String, json: String, body: [UInt8])] = []
        for (token, key, selection, price, stake) in [
            (t1, "1", "home", "2.10", 1000), (t1, "2", "draw", "3.40", 333),
            (t2, "3", "away", "3.75", 1001), (t2, "4", "home", "2.10", 777),
        ] as [(String, String, String, String, Int64)] {
            let json = EdgeNode.betJSON(
                market: "m0", selection: selection, price: price, stake: stake)
            let placed = try await edge.placeBet(token: token, key: key, json: json)
            XCTAssertEqual(placed.status, 201, placed.text)
            firstAnswers.append((token, key, json, placed.body))
        }
        try await assertBalances(network, a1: 100_000 - 1000 - 333, a2: 100_000 - 1001 - 777)

        // Home wins: 1000 × 2.10 = 2100 and 777 × 2.10 = 1631.7, paid as 1631.
        let settled = try await settle(origin, "m0", #"{"winners":[{"selection":"home"}]}"#)
        XCTAssertEqual(settled.status, 200, settled.text)
        try await assertBalances(network, a1: 98_667 + 2100, a2: 98_222 + 1631)
        let again = try await settle(origin, "m0", #"{"winners":[{"selection":"home"}]}"#)
        XCTAssertEqual(
            again.object["unchanged"]?.boolValue, true, "settling twice changes nothing")
        try await assertBalances(network, a1: 100_767, a2: 99_853)
        let other = try await settle(origin, "m0", #"{"winners":[{"selection":"away"}]}"#)
        XCTAssertEqual(other.status, 409)

        // Resettled as a dead heat between home and draw, half each:
        // 1000 × 2.10 / 2 = 1050; 333 × 3.40 / 2 = 566.1 → 566;
        // 777 × 2.10 / 2 = 815.85 → 815.
        let deadHeat = try await settle(
            origin, "m0",
            #"{"winners":[{"selection":"home","deadHeat":"1/2"},"#
                + #"{"selection":"draw","deadHeat":"1/2"}]}"#, action: "resettle")
        XCTAssertEqual(deadHeat.status, 200, deadHeat.text)
        try await assertBalances(network, a1: 98_667 + 1050 + 566, a2: 98_222 + 815)
        let kinds = try await network.ledger("a1").compactMap { $0["kind"]?.stringValue }
        XCTAssertEqual(
            kinds, ["deposit", "stake", "stake", "payout", "adjustment", "payout", "payout"])

        // Resettled as void: every stake back.
        let voided = try await settle(origin, "m0", #"{"void":true}"#, action: "resettle")
        XCTAssertEqual(voided.status, 200, voided.text)
        try await assertBalances(network, a1: 100_000, a2: 100_000)

        // The market's status reaches the edge; the bets' states are readable there.
        let head = try await origin.sequence()
        let reached = await edge.waitForSequence(head)
        XCTAssertTrue(reached)
        let market = try await edge.get("/v1/markets/m0")
        XCTAssertEqual(market.object["status"]?.stringValue, "voided")
        let bet = try await edge.getAsCustomer("/v1/bets/b1", token: t1)
        XCTAssertEqual(bet.object["status"]?.stringValue, "void")
        XCTAssertEqual(bet.object["returned"]?.int64Value, 1000)
        let late = try await edge.placeBet(
            token: t1, key: "late", json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 10))
        XCTAssertEqual(late.reason, "market_closed")

        // A bet voided on its own stays void when its market is settled later.
        let single = try await edge.placeBet(
            token: t1, key: "5", json: EdgeNode.betJSON(market: "m1", price: "2.10", stake: 500))
        let singleID = try XCTUnwrap(single.object["bet"]?.objectValue?["id"]?.stringValue)
        try expectOK(try await origin.request(.post, "/v1/admin/bets/\(singleID)/void"))
        try expectOK(try await settle(origin, "m1", #"{"winners":[{"selection":"home"}]}"#))
        try await assertBalances(network, a1: 100_000, a2: 100_000)
        let lost = try await edge.placeBet(
            token: t2, key: "6", json: EdgeNode.betJSON(market: "m1", price: "2.10", stake: 10))
        XCTAssertEqual(lost.reason, "market_closed")

        // A retry after all that still gets the first answer, byte for byte: the bet as
        // it was accepted, open, not as it ended.
        for first in firstAnswers {
            let retry = try await edge.placeBet(
                token: first.token, key: first.key, json: first.json)
            XCTAssertEqual(retry.status, 201, retry.text)
            XCTAssertEqual(
                retry.text, String(decoding: first.body, as: UTF8.self),
                "the retry of key \(first.key)")
            XCTAssertEqual(retry.headers["idempotent-replayed"], "true")
        }
        // An account's bets, newest first, past payouts and adjustments in its ledger.
        let mine = try await edge.getAsCustomer("/v1/accounts/me/bets", token: t1)
        let listed = try JSONParser.parse(mine.body).arrayValue?.compactMap {
            $0.objectValue?["id"]?.stringValue
        }
        XCTAssertEqual(listed, [singleID, "b2", "b1"])

        let check = try await origin.request(.get, "/v1/admin/ledger/check")
        XCTAssertEqual(check.object["ok"]?.boolValue, true, check.text)
        XCTAssertEqual(check.object["bets"]?.int64Value, 5)
    }

    func testBadSettlementsAreRefusedAndChangeNothing() async throws {
        let network = try await BetNetwork()
        let origin = network.origin
        try await origin.seedCard(markets: 1)
        for (body, status) in [
            (#"{"winners":[{"selection":"nope"}]}"#, 404),
            (#"{"winners":[]}"#, 422),
            (#"{"winners":[{"selection":"home"},{"selection":"home"}]}"#, 422),
            (#"{"winners":[{"selection":"home","deadHeat":"3/2"}]}"#, 422),
            (#"{"winners":[{"selection":"home","deadHeat":"0/2"}]}"#, 422),
            (#"{"void":true,"winners":[{"selection":"home"}]}"#, 422),
            (#"{"winner":"home"}"#, 422),
            ("{", 422),
        ] {
            let response = try await settle(origin, "m0", body)
            XCTAssertEqual(response.status, status, body + " " + response.text)
        }
        let unknown = try await settle(origin, "zz", #"{"void":true}"#)
        XCTAssertEqual(unknown.status, 404)
        let resettle = try await settle(origin, "m0", #"{"void":true}"#, action: "resettle")
        XCTAssertEqual(resettle.status, 409, "nothing to resettle yet")
        let market = try await origin.request(.get, "/v1/admin/markets/m0")
        XCTAssertEqual(market.object["status"]?.stringValue, "open")
    }

    private func settle(
        _ origin: OriginNode, _ market: String, _ body: String, action: String = "settle"
    ) async throws -> HTTPClientResponse {
        try await origin.request(.post, "/v1/admin/markets/\(market)/\(action)", json: body)
    }

    private func assertBalances(
        _ network: BetNetwork, a1: Int64, a2: Int64, line: UInt = #line
    ) async throws {
        let first = try await network.account("a1")["balance"]?.int64Value
        let second = try await network.account("a2")["balance"]?.int64Value
        XCTAssertEqual(first, a1, "a1", line: line)
        XCTAssertEqual(second, a2, "a2", line: line)
    }
}
