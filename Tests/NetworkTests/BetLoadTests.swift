import Foundation
import JSON
import OddsModel
import Store
import TestSupport
import Transport
import XCTest

/// Many customers at once, retrying at random, and an origin killed mid-burst: no bet is
/// ever lost or placed twice, and the money adds up.
final class BetLoadTests: XCTestCase {
    /// 10,000 bets from 50 concurrent customers through two edges; about a third of the
    /// requests are sent again under the same key (some at the same moment as the first,
    /// some later, through the other edge). Each key ends as exactly one bet.
    func testTenThousandBetsFromFiftyClientsWithRetriesMakeOneBetPerKey() async throws {
        let network = try await BetNetwork(edgeCount: 2)
        try await network.origin.seedCard(markets: 20)
        let customers = 50
        let betsEach = 200
        let deposit: Int64 = 10_000_000
        var tokens: [String] = []
        for index in 0..<customers {
            try await network.openAccount("c\(index)", deposit: deposit)
            tokens.append(try await network.token(for: "c\(index)"))
        }
        let clients = try BetClients(count: customers * 2, edges: network.edges)

        let results = try await withThrowingTaskGroup(of: [String: String].self) { group in
            for customer in 0..<customers {
                let token = tokens[customer]
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    var ids: [String: String] = [:]
                    for bet in 0..<betsEach {
                        let key = "c\(customer)-\(bet)"
                        let body = EdgeNode.betJSON(
                            market: "m\(bet % 20)", price: "2.10", stake: 100 + Int64(bet))
                        let roll = Int.random(in: 0..<100, using: &generator)
                        var answers: [HTTPClientResponse] = []
                        if roll < 15 {
                            // The same request twice at once, through both edges.
                            async let first = clients.place(
                                customer * 2, token: token, key: key, json: body)
                            async let second = clients.place(
                                customer * 2 + 1, token: token, key: key, json: body)
                            answers = await [first, second]
                        } else {
                            answers.append(await clients.place(
                                customer * 2, token: token, key: key, json: body))
                            if roll < 35 {
                                answers.append(await clients.place(
                                    customer * 2 + 1, token: token, key: key, json: body))
                            }
                        }
                        let bodies = Set(answers.map(\.body))
                        guard answers.allSatisfy({ $0.status == 201 }), bodies.count == 1,
                            let id = answers[0].object["bet"]?.objectValue?["id"]?.stringValue
                        else {
                            throw NetworkTestError.unexpected(
                                "\(key): " + answers.map { "\($0.status) \($0.text)" }
                                    .joined(separator: " / "))
                        }
                        ids[key] = id
                    }
                    return ids
                }
            }
            return try await group.reduce(into: [String: String]()) { $0.merge($1) { a, _ in a } }
        }

        XCTAssertEqual(results.count, customers * betsEach)
        XCTAssertEqual(Set(results.values).count, customers * betsEach, "one bet id per key")
        let stakes = (0..<Int64(betsEach)).reduce(0) { $0 + 100 + $1 }
        for index in [0, customers / 2, customers - 1] {
            let account = try await network.account("c\(index)")
            XCTAssertEqual(account["balance"]?.int64Value, deposit - stakes)
            XCTAssertEqual(account["ledgerEntries"]?.int64Value, Int64(1 + betsEach))
        }
        let check = try await network.origin.request(.get, "/v1/admin/ledger/check")
        XCTAssertEqual(check.object["ok"]?.boolValue, true, check.text)
        XCTAssertEqual(check.object["bets"]?.int64Value, Int64(customers * betsEach))
        let replayed = await network.originMetric("origin_bets_replayed_total")
        XCTAssertGreaterThan(replayed ?? 0, 1000)
    }
}
