import Identity
import JSON
import Store
import TestSupport
import Transport
import XCTest

/// Bets through a real edge to a real origin: acceptance at the price seen, the stable
/// rejection codes, idempotency, and the edge's checks before anything is forwarded.
final class BetTests: XCTestCase {
    private func network(limits: [String: Int64] = [:], deposit: Int64 = 100_000) async throws
        -> (BetNetwork, EdgeNode, String)
    {
        let network = try await BetNetwork()
        try await network.origin.seedCard(markets: 3)
        try await network.openAccount("acc1", deposit: deposit, limits: limits)
        let token = try await network.token(for: "acc1")
        return (network, network.edges[0], token)
    }

    func testAnAcceptedBetIsDebitedOnceAndARetryGetsTheFirstAnswer() async throws {
        let (network, edge, token) = try await network()
        let body = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 1000)

        let first = try await edge.placeBet(token: token, key: "key-1", json: body)
        XCTAssertEqual(first.status, 201, first.text)
        let bet = first.object["bet"]?.objectValue
        XCTAssertEqual(bet?["price"]?.stringValue, "2.10")
        XCTAssertEqual(bet?["stake"]?.int64Value, 1000)
        XCTAssertEqual(bet?["potentialPayout"]?.int64Value, 2100)
        let id = try XCTUnwrap(bet?["id"]?.stringValue)

        let retry = try await edge.placeBet(token: token, key: "key-1", json: body)
        XCTAssertEqual(retry.status, 201)
        XCTAssertEqual(retry.body, first.body, "a retry gets the first answer, byte for byte")
        XCTAssertEqual(retry.headers["idempotent-replayed"], "true")

        let reused = try await edge.placeBet(
            token: token, key: "key-1",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 2000))
        XCTAssertEqual(reused.status, 422)
        XCTAssertEqual(reused.reason, "idempotency_key_reused")

        let account = try await network.account("acc1")
        XCTAssertEqual(account["balance"]?.int64Value, 99_000)
        let ledger = try await network.ledger("acc1")
        XCTAssertEqual(ledger.map { $0["kind"]?.stringValue }, ["deposit", "stake"])
        XCTAssertEqual(ledger.last?["amount"]?.int64Value, -1000)
        XCTAssertEqual(ledger.last?["reference"]?.stringValue, id)

        let shown = try await edge.getAsCustomer("/v1/bets/\(id)", token: token)
        XCTAssertEqual(shown.status, 200)
        XCTAssertEqual(shown.object["status"]?.stringValue, "open")
        let mine = try await edge.getAsCustomer("/v1/accounts/me/bets", token: token)
        XCTAssertEqual(try JSONParser.parse(mine.body).arrayValue?.count, 1)

        // Another customer cannot see it.
        try await network.openAccount("acc2", deposit: 0)
        let other = try await network.token(for: "acc2")
        let hidden = try await edge.getAsCustomer("/v1/bets/\(id)", token: other)
        XCTAssertEqual(hidden.status, 404)
    }

    func testEachDecisionLeavesOneAuditLineWithTheBetAsSent() async throws {
        let (network, edge, token) = try await network()
        let oneLine = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 700)
        let spread = "{\n  \"market\": \"m0\",\r\n  \"selection\": \"draw\",\n"
            + "  \"price\": \"3.40\", \"marketVersion\": 0, \"stake\": 300\n}"
        let refused = EdgeNode.betJSON(market: "m1", price: "9.99", stake: 100)
        for (key, body, status) in [
            ("k1", oneLine, 201), ("k2", spread, 201), ("k3", refused, 409), ("k1", oneLine, 201),
        ] {
            let placed = try await edge.placeBet(token: token, key: key, json: body)
            XCTAssertEqual(placed.status, status, placed.text)
        }
        XCTAssertEqual(network.origin.terminate(), 0)

        let store = try StoreEnvironment(directory: network.origin.dataDirectory)
        let audit = try store.table("audit")
        var lines: [[UInt8]] = []
        try store.read { txn in
            try txn.forEach(audit) { _, value in
                lines.append(Array(value))
                return true
            }
        }
        // Three decisions; the retry of k1 was answered from its record, not decided again.
        XCTAssertEqual(lines.count, 3)
        var seen: [String] = []
        for line in lines {
            XCTAssertFalse(line.contains(10) || line.contains(13), "one line each")
            let object = try XCTUnwrap(JSONParser.parse(line).objectValue)
            let request = try XCTUnwrap(object["request"]?.objectValue)
            XCTAssertEqual(object["account"]?.stringValue, "acc1")
            seen.append([
                object["idempotencyKey"]?.stringValue, object["outcome"]?.stringValue,
                request["selection"]?.stringValue, request["stake"]?.int64Value.map { "\($0)" },
            ].map { $0 ?? "-" }.joined(separator: " "))
        }
        XCTAssertEqual(seen, [
            "k1 accepted home 700", "k2 accepted draw 300", "k3 rejected home 100",
        ])
        XCTAssertEqual(
            try lines.first.map { try JSONParser.parse($0).objectValue?["request"] },
            try JSONParser.parse(Array(oneLine.utf8)), "the body as it was sent")
    }

    func testAMovedPriceIsRefusedUnlessTheCustomerTakesBetterPrices() async throws {
        let (network, edge, token) = try await network()
        try expectOK(try await network.origin.request(
            .post, "/v1/admin/prices",
            json: #"{"prices":[{"market":"m0","selection":"home","price":"2.20"}]}"#))

        let stale = try await edge.placeBet(
            token: token, key: "a",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 500))
        XCTAssertEqual(stale.status, 409)
        XCTAssertEqual(stale.reason, "price_changed")
        XCTAssertEqual(stale.object["currentPrice"]?.stringValue, "2.20")

        let better = try await edge.placeBet(
            token: token, key: "b",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 500, policy: "better"))
        XCTAssertEqual(better.status, 201, better.text)
        XCTAssertEqual(better.object["bet"]?.objectValue?["price"]?.stringValue, "2.20")

        try expectOK(try await network.origin.request(
            .post, "/v1/admin/prices",
            json: #"{"prices":[{"market":"m0","selection":"home","price":"2.00"}]}"#))
        let worse = try await edge.placeBet(
            token: token, key: "c",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 500, policy: "better"))
        XCTAssertEqual(worse.reason, "price_changed")
        let balance = try await network.account("acc1")["balance"]?.int64Value
        XCTAssertEqual(balance, 99_500, "only the accepted bet was debited")
    }

    func testEachRefusalHasItsStableReason() async throws {
        let (network, edge, token) = try await network(
            limits: ["minStake": 100, "maxStake": 50_000, "maxLiabilityPerMarket": 30_000],
            deposit: 60_000)
        try expectOK(try await network.origin.request(.post, "/v1/admin/markets/m1/suspend"))
        try expectOK(try await network.origin.request(.post, "/v1/admin/markets/m2/close"))

        let cases: [(String, String, Int)] = [
            (EdgeNode.betJSON(market: "m1", price: "2.10", stake: 500), "market_suspended", 409),
            (EdgeNode.betJSON(market: "m2", price: "2.10", stake: 500), "market_closed", 409),
            (EdgeNode.betJSON(market: "nope", price: "2.10", stake: 500), "unknown_market", 409),
            (EdgeNode.betJSON(market: "m0", selection: "nope", price: "2.10", stake: 500),
             "unknown_selection", 409),
            (EdgeNode.betJSON(market: "m0", price: "2.10", stake: 99), "stake_too_low", 409),
            (EdgeNode.betJSON(market: "m0", price: "2.10", stake: 50_001), "stake_too_high", 409),
            // 40,000 at 2.10 wins 44,000 beyond the stake: above the 30,000 liability limit.
            (EdgeNode.betJSON(market: "m0", price: "2.10", stake: 40_000), "liability_limit", 409),
        ]
        for (index, (body, reason, status)) in cases.enumerated() {
            let response = try await edge.placeBet(token: token, key: "k\(index)", json: body)
            XCTAssertEqual(response.reason, reason, body)
            XCTAssertEqual(response.status, status, body)
            XCTAssertEqual(response.headers["content-type"], "application/problem+json")
        }
        let funded = try await edge.placeBet(
            token: token, key: "funded",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 20_000))
        XCTAssertEqual(funded.status, 201, funded.text)
        let broke = try await edge.placeBet(
            token: token, key: "broke",
            json: EdgeNode.betJSON(market: "m0", selection: "away", price: "3.75", stake: 45_000))
        XCTAssertEqual(broke.reason, "insufficient_funds")
        let balance = try await network.account("acc1")["balance"]?.int64Value
        XCTAssertEqual(balance, 40_000)
    }

    func testOpenLiabilityOutlivesRestartsAndIsReleasedByAVoid() async throws {
        let (network, edge, token) = try await network(
            limits: ["maxLiabilityPerMarket": 30_000], deposit: 200_000)
        func place(_ key: String, _ market: String, _ stake: Int64) async throws
            -> HTTPClientResponse
        {
            try await edge.placeBet(
                token: token, key: key,
                json: EdgeNode.betJSON(market: market, price: "2.10", stake: stake))
        }
        func restartOrigin() async throws {
            XCTAssertEqual(network.origin.terminate(), 0)
            try network.origin.start()
            let ready = await edge.waitForReady()
            XCTAssertTrue(ready)
        }

        // 10,000 at 2.10 is 11,000 of liability.
        for (key, market) in [("b1", "m0"), ("b2", "m0"), ("b3", "m1")] {
            let placed = try await place(key, market, 10_000)
            XCTAssertEqual(placed.status, 201, placed.text)
        }
        try await restartOrigin()
        // m0 holds 22,000: another 11,000 would pass 30,000; 7,700 does not.
        let over = try await place("over", "m0", 10_000)
        XCTAssertEqual(over.reason, "liability_limit", over.text)
        let under = try await place("under", "m0", 7_000)
        XCTAssertEqual(under.status, 201, under.text)
        let other = try await place("other", "m1", 10_000)
        XCTAssertEqual(other.status, 201, "m1 holds its own 11,000: \(other.text)")

        // Voiding b1 releases its 11,000 (29,700 -> 18,700), after a restart too.
        try expectOK(try await network.origin.request(.post, "/v1/admin/bets/b1/void"))
        try await restartOrigin()
        let freed = try await place("freed", "m0", 10_000)
        XCTAssertEqual(freed.status, 201, freed.text)
        let full = try await place("full", "m0", 500)
        XCTAssertEqual(full.reason, "liability_limit", full.text)
    }

    func testBetsOverTheAccountsRateAreRefused() async throws {
        // The network is kept to the end: releasing it stops its processes.
        let (network, edge, token) = try await network(limits: ["betsPerSecond": 2])
        let body = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100)
        let statuses = try await withThrowingTaskGroup(of: String?.self) { group in
            for index in 0..<6 {
                group.addTask {
                    try await edge.placeBet(token: token, key: "r\(index)", json: body).reason
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        // Six bets at once fall in at most two one-second windows of two bets each.
        XCTAssertGreaterThanOrEqual(statuses.filter { $0 == "rate_limited" }.count, 2)
        XCTAssertGreaterThanOrEqual(statuses.filter { $0 == nil }.count, 2)
        let stakes = try await network.ledger("acc1").filter { $0["kind"]?.stringValue == "stake" }
        XCTAssertEqual(stakes.count, statuses.filter { $0 == nil }.count)
    }

    func testMalformedBetsAreRefusedAndChangeNothing() async throws {
        let (network, edge, token) = try await network()
        let before = try await network.account("acc1")
        let good = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100)
        let cases: [(String?, String, String)] = [
            (nil, good, "no idempotency key"),
            ("k", "{not json", "bad JSON"),
            ("k", EdgeNode.betJSON(market: "m0", price: "2.10", stake: -5), "negative stake"),
            ("k", EdgeNode.betJSON(market: "m0", price: "2.10", stake: 0), "zero stake"),
            ("k", EdgeNode.betJSON(market: "m0", price: "2.10", stake: 99_999_999_999_999),
             "huge stake"),
            ("k", EdgeNode.betJSON(market: "m0", price: "1.00", stake: 100), "price of 1.00"),
            ("k", EdgeNode.betJSON(market: "m0", price: "2.123456", stake: 100), "inexact price"),
            ("k", #"{"market":"m0","selection":"home","price":"2.1","marketVersion":0,"#
                + #""stake":100,"extra":1}"#, "unknown key"),
            ("k", #"{"market":"../x","selection":"home","price":"2.1","marketVersion":0,"#
                + #""stake":100}"#, "bad market id"),
            ("k", EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100, policy: "any"),
             "unknown policy"),
            (String(repeating: "x", count: 200), good, "long idempotency key"),
        ]
        for (key, body, what) in cases {
            let response = try await edge.placeBet(token: token, key: key, json: body)
            XCTAssertEqual(response.status, 422, what + ": " + response.text)
            XCTAssertEqual(response.reason, "invalid_request", what)
        }
        let huge = try await edge.placeBet(
            token: token, key: "k", json: String(repeating: " ", count: 10_000) + good)
        XCTAssertEqual(huge.status, 422)
        let after = try await network.account("acc1")
        XCTAssertEqual(after, before)
    }

    func testTheEdgeRefusesMissingForgedExpiredAndUnknownKeyTokens() async throws {
        let (network, edge, _) = try await network()
        let body = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100)
        let now = Int64(Date().timeIntervalSince1970)
        let signing = try SigningKey(pemFile: network.signingKey.privateKey)
        let other = try TestSigningKeys.make("other", in: network.keys)
        let forger = try SigningKey(pemFile: other.privateKey)
        func token(_ kid: String, _ key: SigningKey, expires: Int64) -> String {
            CustomerToken.issue(
                TokenClaims(
                    keyID: kid, accountID: "acc1", issuedAtSeconds: now - 10,
                    expiresAtSeconds: expires),
                key: key)
        }
        let refused: [(String?, String)] = [
            (nil, "no token"),
            ("not-a-token", "garbage"),
            (token("k1", forger, expires: now + 600), "forged"),
            (token("k1", signing, expires: now - 1), "expired"),
            (token("k2", forger, expires: now + 600), "unknown key"),
        ]
        for (customerToken, what) in refused {
            let response = try await edge.placeBet(token: customerToken, key: "k", json: body)
            XCTAssertEqual(response.status, 401, what)
            XCTAssertEqual(response.headers["www-authenticate"], "Bearer", what)
        }
        let valid = try await edge.placeBet(
            token: token("k1", signing, expires: now + 600), key: "k", json: body)
        XCTAssertEqual(valid.status, 201, valid.text)
        let forwarded = await edge.metric("edge_bets_forwarded_total")
        XCTAssertEqual(forwarded, 1, "nothing refused was forwarded")
    }

    func testARotatedKeyKeepsOldTokensValidUntilTheyExpire() async throws {
        let network = try await BetNetwork()
        try await network.origin.seedCard(markets: 1)
        try await network.openAccount("acc1", deposit: 10_000)
        let oldToken = try await network.token(for: "acc1")

        // The rotation: edges learn the new public key next to the old one, then the origin
        // signs with the new key.
        let newKey = try TestSigningKeys.make("k2", in: network.keys)
        let edge = network.edges[0]
        XCTAssertEqual(edge.terminate(), 0)
        edge.settings["tokenKeys"] = [
            ["id": "k1", "publicKeyFile": network.signingKey.publicKey],
            ["id": "k2", "publicKeyFile": newKey.publicKey],
        ]
        try edge.start()
        XCTAssertEqual(network.origin.terminate(), 0)
        network.origin.settings["tokenSigningKey"] = [
            "id": "k2", "privateKeyFile": newKey.privateKey,
        ]
        try network.origin.start()
        let ready = await edge.waitForReady()
        XCTAssertTrue(ready)
        let newToken = try await network.token(for: "acc1")
        XCTAssertNotEqual(newToken, oldToken)

        for (index, token) in [oldToken, newToken].enumerated() {
            let response = try await edge.placeBet(
                token: token, key: "rot\(index)",
                json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100))
            XCTAssertEqual(response.status, 201, response.text)
        }
    }

    func testAnInPlayBetWaitsOutTheDelayAndIsDecidedOnThePriceThen() async throws {
        let (network, edge, token) = try await network()
        try expectOK(try await network.origin.request(
            .patch, "/v1/admin/markets/m0", json: #"{"inPlay":true,"betDelayMs":400}"#))
        let body = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100)

        let started = Date()
        let accepted = try await edge.placeBet(token: token, key: "d1", json: body)
        XCTAssertEqual(accepted.status, 201, accepted.text)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.4)
        // Over 50 ms at the origin: the edge counts it and says so in a warning line.
        let slowLine = edge.process?.waitForLogLine(containing: "bets.slow_forward")
        XCTAssertNotNil(slowLine, edge.process?.log ?? "")
        XCTAssertTrue(slowLine?.contains(#""path":"/v1/bets""#) == true, slowLine ?? "")
        let slowForwards = await edge.metric("edge_bet_slow_forwards_total")
        XCTAssertEqual(slowForwards, 1)

        // The price moves while the next bet waits: it is decided on the price after the delay.
        async let waiting = edge.placeBet(token: token, key: "d2", json: body)
        // A bet on another market is not held up by the delayed one.
        let quick = Date()
        let other = try await edge.placeBet(
            token: token, key: "d3",
            json: EdgeNode.betJSON(market: "m1", price: "2.10", stake: 100))
        XCTAssertEqual(other.status, 201)
        XCTAssertLessThan(Date().timeIntervalSince(quick), 0.3)
        try expectOK(try await network.origin.request(
            .post, "/v1/admin/prices",
            json: #"{"prices":[{"market":"m0","selection":"home","price":"1.90"}]}"#))
        let refused = try await waiting
        XCTAssertEqual(refused.reason, "price_changed")
    }

    func testWithoutTheOriginTheEdgeAnswers503AndARetryAfterItsReturnPlacesOneBet()
        async throws
    {
        let (network, edge, token) = try await network()
        let body = EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100)
        let placed = try await edge.placeBet(token: token, key: "before", json: body)
        XCTAssertEqual(placed.status, 201)

        network.origin.kill9()
        let down = try await edge.placeBet(token: token, key: "during", json: body)
        XCTAssertEqual(down.status, 503)
        XCTAssertEqual(down.headers["retry-after"], "1")

        try network.origin.start()
        let ready = await edge.waitForReady()
        XCTAssertTrue(ready)
        // The idempotency record outlived the crash: the first bet is not placed again.
        let retried = try await edge.placeBet(token: token, key: "before", json: body)
        XCTAssertEqual(retried.body, placed.body)
        let after = try await edge.placeBet(token: token, key: "during", json: body)
        XCTAssertEqual(after.status, 201)
        let ledger = try await network.ledger("acc1")
        XCTAssertEqual(ledger.filter { $0["kind"]?.stringValue == "stake" }.count, 2)
    }
}
