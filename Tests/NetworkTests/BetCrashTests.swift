import Foundation
import JSON
import Locks
import OddsModel
import Store
import TestSupport
import Transport
import XCTest

/// kill -9 the origin during a burst of bets, restart it, and check the clients' log against
/// the origin's store: every bet answered "accepted" is there once with its stake and price,
/// none answered "rejected" is, one that got no answer is there at most once, and nothing is
/// there that was never sent.
final class BetCrashTests: XCTestCase {
    func testAnOriginKilledMidBurstLosesAndDuplicatesNothing() async throws {
        let network = try await BetNetwork(edgeCount: 2)
        let origin = network.origin
        try await origin.seedCard(markets: 10)
        let customers = 20
        var tokens: [String] = []
        for index in 0..<customers {
            try await network.openAccount("c\(index)", deposit: 100_000_000)
            tokens.append(try await network.token(for: "c\(index)"))
        }
        let clients = try BetClients(count: customers, edges: network.edges)
        let customerTokens = tokens
        let log = Lock([SentBet]())
        let accepted = Lock(0)
        let stop = Lock(false)

        // Each customer bets until told to stop. The stake identifies the request within
        // the account (no two requests of an account share one), so the checker can match
        // stored bets to requests. One bet in ten names a price the market does not have.
        let burst = Task {
            await withTaskGroup(of: Void.self) { group in
                for customer in 0..<customers {
                    let token = customerTokens[customer]
                    group.addTask {
                        var number = 0
                        while !stop.withLock({ $0 }) {
                            let stake = 100 + Int64(number)
                            let price = number % 10 == 9 ? "2.20" : "2.10"
                            let sent = SentBet(
                                account: "c\(customer)", key: "c\(customer)-\(number)",
                                stake: stake, price: price,
                                body: EdgeNode.betJSON(
                                    market: "m\(number % 10)", price: price, stake: stake))
                            number += 1
                            let answer = await clients.place(
                                customer, token: token, key: sent.key, json: sent.body)
                            var logged = sent
                            logged.record(answer)
                            if logged.outcome == .accepted { accepted.withLock { $0 += 1 } }
                            log.withLock { $0.append(logged) }
                        }
                    }
                }
            }
        }

        let before = await eventually(timeout: 60) { accepted.withLock { $0 } >= 1500 }
        XCTAssertTrue(before, "the burst never got going")
        origin.kill9()
        let failures = await eventually(timeout: 30) {
            log.withLock { $0.filter { $0.outcome == .noAnswer }.count } >= customers
        }
        XCTAssertTrue(failures, "the clients never noticed the origin was gone")
        try origin.start()
        let countAtRestart = accepted.withLock { $0 }
        let after = await eventually(timeout: 60) {
            accepted.withLock { $0 } >= countAtRestart + 500
        }
        XCTAssertTrue(after, "bets were not accepted after the restart")
        stop.withLock { $0 = true }
        await burst.value

        var sent = log.withLock { $0 }
        XCTAssertGreaterThan(sent.filter { $0.outcome == .noAnswer }.count, 0)
        XCTAssertGreaterThan(sent.filter { $0.outcome == .rejected }.count, 0)
        let checkedFirst = try BetLogCheck(
            sent: sent, stored: try storedBets(network), atMostOnceForNoAnswer: true)
        XCTAssertEqual(checkedFirst.problems, [])
        try origin.start()
        for edge in network.edges {
            let ready = await edge.waitForReady()
            XCTAssertTrue(ready, "\(edge.id) did not reconnect")
        }

        // Retried under their keys, the unanswered bets end exactly once each.
        for index in sent.indices where sent[index].outcome == .noAnswer {
            let customer = Int(sent[index].account.dropFirst()) ?? 0
            let answer = await clients.place(
                customer, token: tokens[customer], key: sent[index].key, json: sent[index].body)
            sent[index].record(answer)
            XCTAssertNotEqual(sent[index].outcome, .noAnswer, sent[index].key)
        }
        let checked = try BetLogCheck(
            sent: sent, stored: try storedBets(network), atMostOnceForNoAnswer: false)
        try origin.start()
        XCTAssertEqual(checked.problems, [])
        XCTAssertEqual(checked.matched, sent.filter { $0.outcome == .accepted }.count)
        let ledger = try await origin.request(.get, "/v1/admin/ledger/check")
        XCTAssertEqual(ledger.object["ok"]?.boolValue, true, ledger.text)
    }

    /// Every bet in the origin's store, read straight from LMDB after stopping the origin
    /// (the caller starts it again).
    private func storedBets(_ network: BetNetwork) throws -> [Bet] {
        XCTAssertEqual(network.origin.terminate(), 0)
        let store = try StoreEnvironment(directory: network.origin.dataDirectory)
        let table = try store.table("bets")
        var bets: [Bet] = []
        try store.read { txn in
            try txn.forEach(table) { _, value in
                bets.append(try Bet(wireBytes: value))
                return true
            }
        }
        return bets
    }

    private func eventually(timeout: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return condition()
    }
}

/// One request as the client logged it, with what came back.
struct SentBet: Sendable {
    enum Outcome: Sendable, Equatable {
        case accepted
        case rejected
        /// A 503, a transport failure, or no answer at all: the outcome is unknown.
        case noAnswer
    }

    var account: String
    var key: String
    var stake: Int64
    var price: String
    var body: String
    var outcome = Outcome.noAnswer
    var betID: String?
    var acceptedPrice: String?
    var acceptedStake: Int64?

    mutating func record(_ answer: HTTPClientResponse) {
        switch answer.status {
        case 201:
            let bet = answer.object["bet"]?.objectValue
            outcome = .accepted
            betID = bet?["id"]?.stringValue
            acceptedPrice = bet?["price"]?.stringValue
            acceptedStake = bet?["stake"]?.int64Value
        case 409, 422:
            outcome = .rejected
        default:
            outcome = .noAnswer
        }
    }
}

/// The checker: the clients' log against the stored bets.
struct BetLogCheck {
    var problems: [String] = []
    var matched = 0

    init(sent: [SentBet], stored: [Bet], atMostOnceForNoAnswer: Bool) throws {
        var byRequest: [String: [Bet]] = [:]
        for bet in stored {
            byRequest["\(bet.accountID)/\(bet.stakeMinor)", default: []].append(bet)
        }
        var requests: Set<String> = []
        for request in sent {
            let id = "\(request.account)/\(request.stake)"
            requests.insert(id)
            let found = byRequest[id] ?? []
            switch request.outcome {
            case .accepted:
                guard found.count == 1, let bet = found.first else {
                    problems.append("\(request.key): accepted, stored \(found.count) times")
                    continue
                }
                matched += 1
                if bet.id != request.betID || bet.price.description != request.acceptedPrice
                    || bet.stakeMinor != request.acceptedStake
                {
                    problems.append("\(request.key): acknowledged \(request.betID ?? "-") "
                        + "\(request.acceptedPrice ?? "-") \(request.acceptedStake ?? 0), stored "
                        + "\(bet.id) \(bet.price) \(bet.stakeMinor)")
                }
            case .rejected:
                if !found.isEmpty {
                    problems.append("\(request.key): rejected, yet stored")
                }
            case .noAnswer:
                if found.count > 1 || (!atMostOnceForNoAnswer && found.count != 1) {
                    problems.append("\(request.key): unanswered, stored \(found.count) times")
                }
            }
        }
        for bet in stored where !requests.contains("\(bet.accountID)/\(bet.stakeMinor)") {
            problems.append("\(bet.id): stored but never sent")
        }
    }
}
