import Foundation
import JSON
import TestSupport
import Transport
import XCTest

/// The operator's command line, run as a real `oddsctl` process against a real origin: what
/// it changes shows at the origin, what it prints is what the origin holds, and it exits 0
/// when done, 1 when the origin refuses and 2 on a usage error or no answer.
final class OddsctlTests: XCTestCase {
    func testPutsPriceAndStatusChangesReachTheOrigin() async throws {
        let origin = try OriginNode()
        try origin.start()

        let event = try run(origin, [
            "event", "put", "e1", "--sport", "football", "--competition", "Premier League",
            "--name", "Arsenal v Spurs", "--start", "2026-12-05T15:00:00Z",
        ])
        XCTAssertEqual(event.status, 0, event.stderr)
        XCTAssertTrue(event.stdout.hasPrefix("event e1 saved (version "), event.stdout)

        let market = try run(origin, [
            "market", "put", "m1", "--event", "e1", "--type", "match_odds", "--name",
            "Match Odds", "--selection", "home:Arsenal:2.10", "--selection", "draw:Draw:3.40",
            "--selection", "away:Spurs:3.75",
        ])
        XCTAssertEqual(market.status, 0, market.stderr)
        let sequence = try await origin.sequence()
        XCTAssertTrue(market.stdout.hasPrefix("market m1 saved (version "), market.stdout)
        XCTAssertTrue(market.stdout.hasSuffix(", sequence \(sequence))\n"), market.stdout)
        XCTAssertEqual(market.stderr, "")

        let saved = try await marketAtOrigin(origin, "m1")
        XCTAssertEqual(saved["event"]?.stringValue, "e1")
        XCTAssertEqual(saved["name"]?.stringValue, "Match Odds")
        XCTAssertEqual(saved["status"]?.stringValue, "open")
        XCTAssertEqual(selectionNames(saved), ["home": "Arsenal", "draw": "Draw", "away": "Spurs"])
        XCTAssertEqual(prices(saved), ["home": "2.10", "draw": "3.40", "away": "3.75"])

        let price = try run(origin, ["price", "set", "m1", "home", "2.2"])
        XCTAssertEqual(price.status, 0, price.stderr)
        let priced = try await origin.sequence()
        XCTAssertGreaterThan(priced, sequence)
        XCTAssertTrue(
            price.stdout.hasPrefix("prices set: 1 item, 1 market changed, sequence \(priced) "),
            price.stdout)
        let repriced = try await marketAtOrigin(origin, "m1")
        XCTAssertEqual(prices(repriced)["home"], "2.20")

        for (command, status, verb) in [
            ("suspend", "suspended", "suspended"), ("resume", "open", "resumed"),
            ("close", "closed", "closed"),
        ] {
            let changed = try run(origin, ["market", command, "m1"])
            XCTAssertEqual(changed.status, 0, "\(command): \(changed.stderr)")
            XCTAssertTrue(changed.stdout.hasPrefix("market m1 \(verb) (version "), changed.stdout)
            let shown = try await marketAtOrigin(origin, "m1")
            XCTAssertEqual(shown["status"]?.stringValue, status, command)
        }
    }

    func testPriceBatchesFromALinesFileAJSONFileAndStandardInput() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 2)
        let directory = try TemporaryDirectory()
        defer { directory.remove() }

        let lines = directory.file("prices.txt")
        try write("""
            # the opening show
            m0 home 2.30
            m0\tdraw\t3.30   # tabs and a trailing comment

            m1 away 4.00
            """, to: lines)
        let before = try await origin.sequence()
        let fromLines = try run(origin, ["price", "batch", lines])
        XCTAssertEqual(fromLines.status, 0, fromLines.stderr)
        let afterLines = try await origin.sequence()
        XCTAssertGreaterThan(afterLines, before)
        XCTAssertTrue(
            fromLines.stdout.hasPrefix(
                "prices set: 3 items, 2 markets changed, sequence \(afterLines) "),
            fromLines.stdout)
        let m0 = try await marketAtOrigin(origin, "m0")
        XCTAssertEqual(prices(m0), ["home": "2.30", "draw": "3.30", "away": "3.75"])
        let m1 = try await marketAtOrigin(origin, "m1")
        XCTAssertEqual(prices(m1)["away"], "4.00")

        // The API's own document; a price may be a JSON number, read as text.
        let document = directory.file("prices.json")
        try write("""
            {"prices":[{"market":"m1","selection":"home","price":"1.95"},
                       {"market":"m1","selection":"draw","price":3.6}]}
            """, to: document)
        let fromJSON = try run(origin, ["price", "batch", document])
        XCTAssertEqual(fromJSON.status, 0, fromJSON.stderr)
        let afterJSON = try await origin.sequence()
        XCTAssertGreaterThan(afterJSON, afterLines)
        XCTAssertTrue(fromJSON.stdout.contains("sequence \(afterJSON) "), fromJSON.stdout)
        let m1JSON = try await marketAtOrigin(origin, "m1")
        XCTAssertEqual(prices(m1JSON), ["home": "1.95", "draw": "3.60", "away": "4.00"])

        // `-` reads standard input, here a bare JSON array.
        let array = #"[{"market":"m0","selection":"away","price":"5.5"}]"#
        let fromInput = try run(origin, ["price", "batch", "-"], input: Array(array.utf8))
        XCTAssertEqual(fromInput.status, 0, fromInput.stderr)
        let afterInput = try await origin.sequence()
        XCTAssertGreaterThan(afterInput, afterJSON)
        XCTAssertTrue(fromInput.stdout.contains("sequence \(afterInput) "), fromInput.stdout)
        let m0Input = try await marketAtOrigin(origin, "m0")
        XCTAssertEqual(prices(m0Input)["away"], "5.50")
    }

    func testListingsAreAlignedTablesOrTheOriginsJSON() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 2)
        let long = try run(origin, [
            "market", "put", "a-much-longer-market-id", "--event", "e1", "--type", "totals",
            "--name", "Goals", "--selection", "over:Over 2.5:1.90",
            "--selection", "under:Under 2.5:1.95",
        ])
        XCTAssertEqual(long.status, 0, long.stderr)

        let table = try run(origin, ["markets"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.count, 4, table.stdout)
        let header = try XCTUnwrap(rows.first)
        XCTAssertTrue(header.hasPrefix("ID "), header)
        let eventColumn = try XCTUnwrap(column(of: "EVENT", in: header))
        let statusColumn = try XCTUnwrap(column(of: "STATUS", in: header))
        let selectionsColumn = try XCTUnwrap(column(of: "SELECTIONS", in: header))
        for (row, id) in zip(rows.dropFirst(), ["a-much-longer-market-id", "m0", "m1"]) {
            XCTAssertTrue(row.hasPrefix(id + " "), row)
            XCTAssertTrue(text(of: row, from: eventColumn).hasPrefix("e1 "), row)
            XCTAssertTrue(text(of: row, from: statusColumn).hasPrefix("open "), row)
            let selections = text(of: row, from: selectionsColumn)
            XCTAssertTrue(
                selections.hasPrefix("home 2.10 | ") || selections.hasPrefix("over 1.90 | "), row)
        }

        // --json may follow the command; the origin's array comes through as it is.
        let json = try run(origin, ["markets", "--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let markets = try XCTUnwrap(JSONParser.parse(json.stdout).arrayValue)
        XCTAssertEqual(
            markets.compactMap { $0.objectValue?["id"]?.stringValue },
            ["a-much-longer-market-id", "m0", "m1"])

        let status = try run(origin, ["status"])
        XCTAssertEqual(status.status, 0, status.stderr)
        let atOrigin = try await origin.status()
        let listing = keyValues(status.stdout)
        XCTAssertEqual(listing["epoch"], atOrigin["epoch"]?.stringValue)
        XCTAssertEqual(listing["sequence"], atOrigin["sequence"]?.int64Value.map { "\($0)" })
        XCTAssertEqual(listing["markets"], "3")
    }

    func testEdgesListsTheConnectedEdge() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 1)

        let none = try run(origin, ["edges"])
        XCTAssertEqual(none.status, 0, none.stderr)
        XCTAssertEqual(none.stdout, "no edges\n")

        let edge = try EdgeNode(id: "edge-ctl-1", upstream: origin.feedAddress)
        try edge.start()
        let head = try await origin.sequence()
        let applied = await edge.waitForSequence(head)
        XCTAssertTrue(applied, "the edge did not apply \(head)")
        let registered = await waitForEdge(origin, id: edge.id, applied: head)
        XCTAssertTrue(registered, "the origin does not list \(edge.id) as connected at \(head)")

        let table = try run(origin, ["edges"])
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(rows.count, 2, table.stdout)
        XCTAssertTrue(rows.first?.hasPrefix("ID ") == true, table.stdout)
        XCTAssertTrue(rows.last?.hasPrefix("edge-ctl-1 ") == true, table.stdout)

        let json = try run(origin, ["--json", "edges"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let edges = try XCTUnwrap(JSONParser.parse(json.stdout).arrayValue)
        XCTAssertEqual(edges.count, 1)
        let listed = try XCTUnwrap(edges.first?.objectValue)
        XCTAssertEqual(listed["id"]?.stringValue, "edge-ctl-1")
        XCTAssertEqual(listed["connected"]?.boolValue, true)
        XCTAssertEqual(listed["appliedSequence"]?.int64Value, head)
    }

    func testRefusalsExitOneWithTheOriginsReason() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 1)

        let unknown = try run(origin, ["price", "set", "nope", "home", "2.50"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertTrue(unknown.stderr.hasPrefix("oddsctl: refused (404 "), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("market nope does not exist"), unknown.stderr)

        let closed = try run(origin, ["market", "close", "m0"])
        XCTAssertEqual(closed.status, 0, closed.stderr)
        let resumed = try run(origin, ["market", "resume", "m0"])
        XCTAssertEqual(resumed.status, 1)
        XCTAssertTrue(resumed.stderr.hasPrefix("oddsctl: refused (409 Conflict)"), resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("market m0 is closed"), resumed.stderr)
        let stillClosed = try await marketAtOrigin(origin, "m0")
        XCTAssertEqual(stillClosed["status"]?.stringValue, "closed")

        let wrongToken = try oddsctl(["--origin", url(origin), "--token", "wrong-token", "status"])
        XCTAssertEqual(wrongToken.status, 1)
        XCTAssertTrue(
            wrongToken.stderr.hasPrefix("oddsctl: refused (401 Unauthorized)"), wrongToken.stderr)
        XCTAssertTrue(wrongToken.stderr.contains("bearer token"), wrongToken.stderr)
    }

    func testUsageErrorsAndNoAnswerExitTwo() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 1)
        let before = try await origin.sequence()

        let unknown = try run(origin, ["frobnicate"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stdout, "")
        XCTAssertTrue(
            unknown.stderr.hasPrefix("oddsctl: unknown command \"frobnicate\"\n"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("oddsctl --help"), unknown.stderr)

        // The environment holds no ODDSNET_ variables (see `oddsctl(_:environment:input:)`).
        let noToken = try oddsctl(["--origin", url(origin), "status"])
        XCTAssertEqual(noToken.status, 2)
        XCTAssertTrue(noToken.stderr.hasPrefix("oddsctl: no token: "), noToken.stderr)

        let badPrice = try run(origin, ["price", "set", "m0", "home", "1.00"])
        XCTAssertEqual(badPrice.status, 2)
        XCTAssertTrue(
            badPrice.stderr.contains("price \"1.00\" must be above 1.00"), badPrice.stderr)
        XCTAssertTrue(
            badPrice.stderr.contains("price set MARKET SELECTION PRICE"), badPrice.stderr)

        // Every line is checked before anything is sent: the good first line is not applied.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let batch = directory.file("bad.txt")
        try write("m0 home 2.40\n# a comment\nm0 draw\n", to: batch)
        let badLine = try run(origin, ["price", "batch", batch])
        XCTAssertEqual(badLine.status, 2)
        XCTAssertTrue(
            badLine.stderr.contains("line 3: expected MARKET SELECTION PRICE"), badLine.stderr)

        let after = try await origin.sequence()
        XCTAssertEqual(after, before, "a change reached the origin")
        let m0 = try await marketAtOrigin(origin, "m0")
        XCTAssertEqual(prices(m0)["home"], "2.10")

        let nowhere = try oddsctl([
            "--origin", "http://127.0.0.1:1", "--token", OriginNode.adminToken, "status",
        ])
        XCTAssertEqual(nowhere.status, 2)
        XCTAssertTrue(
            nowhere.stderr.hasPrefix("oddsctl: request to http://127.0.0.1:1 failed: "),
            nowhere.stderr)
    }

    func testEnvironmentSuppliesTheOriginAndTheToken() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 1)
        let environment = ["ODDSNET_ORIGIN": url(origin), "ODDSNET_TOKEN": OriginNode.adminToken]

        let status = try oddsctl(["status"], environment: environment)
        XCTAssertEqual(status.status, 0, status.stderr)
        let sequence = try await origin.sequence()
        XCTAssertEqual(keyValues(status.stdout)["sequence"], "\(sequence)")

        let price = try oddsctl(["price", "set", "m0", "draw", "3.45"], environment: environment)
        XCTAssertEqual(price.status, 0, price.stderr)
        let m0 = try await marketAtOrigin(origin, "m0")
        XCTAssertEqual(prices(m0)["draw"], "3.45")

        // A flag wins over its variable.
        var wrongToken = environment
        wrongToken["ODDSNET_TOKEN"] = "wrong-token"
        let refused = try oddsctl(["status"], environment: wrongToken)
        XCTAssertEqual(refused.status, 1, refused.stderr)
        let overridden = try oddsctl(
            ["status", "--token", OriginNode.adminToken], environment: wrongToken)
        XCTAssertEqual(overridden.status, 0, overridden.stderr)

        // An empty variable counts as unset.
        var emptyOrigin = environment
        emptyOrigin["ODDSNET_ORIGIN"] = ""
        let noOrigin = try oddsctl(["status"], environment: emptyOrigin)
        XCTAssertEqual(noOrigin.status, 2)
        XCTAssertTrue(noOrigin.stderr.hasPrefix("oddsctl: no origin: "), noOrigin.stderr)
    }

    // MARK: - Running oddsctl

    /// The variables oddsctl reads; removed from its environment unless a test sets them, so
    /// that the shell the tests run from cannot change their outcome.
    private static let controlVariables = ["ODDSNET_ORIGIN", "ODDSNET_TOKEN", "ODDSNET_CA_FILE"]

    func testAccountsMoneyTokensAndBets() async throws {
        let network = try await BetNetwork()
        let origin = network.origin
        try await origin.seedCard(markets: 1)

        let created = try run(origin, ["account", "create", "a1", "--max-stake", "5000"])
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(keyValues(created.stdout)["max stake"], "5000")
        let deposit = try run(origin, ["account", "deposit", "a1", "10000", "--reference", "card"])
        XCTAssertEqual(deposit.status, 0, deposit.stderr)
        XCTAssertTrue(deposit.stdout.hasSuffix("entry 1: deposit 10000, balance 10000\n"))
        let withdraw = try run(origin, ["account", "withdraw", "a1", "2500"])
        XCTAssertEqual(withdraw.status, 0, withdraw.stderr)
        let overdrawn = try run(origin, ["account", "withdraw", "a1", "999999"])
        XCTAssertEqual(overdrawn.status, 1)
        XCTAssertTrue(overdrawn.stderr.contains("less than 999999"), overdrawn.stderr)
        let limits = try run(origin, ["account", "limits", "a1", "--bets-per-second", "50"])
        XCTAssertEqual(limits.status, 0, limits.stderr)
        XCTAssertEqual(keyValues(limits.stdout)["bets per second"], "50")
        XCTAssertEqual(keyValues(limits.stdout)["max stake"], "5000", "other limits are kept")

        let issued = try run(origin, ["token", "issue", "--account", "a1", "--ttl", "2h"])
        XCTAssertEqual(issued.status, 0, issued.stderr)
        let token = String(issued.stdout.split(separator: "\n")[0])
        let placed = try await network.edges[0].placeBet(
            token: token, key: "x",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 700))
        XCTAssertEqual(placed.status, 201, placed.text)

        let shown = try run(origin, ["account", "show", "a1"])
        XCTAssertEqual(keyValues(shown.stdout)["balance"], "6800")
        let ledger = try run(origin, ["account", "ledger", "a1"])
        XCTAssertEqual(ledger.stdout.split(separator: "\n").count, 4, ledger.stdout)
        XCTAssertTrue(ledger.stdout.contains("stake"), ledger.stdout)
        let bets = try run(origin, ["account", "bets", "a1", "--json"])
        let listed = try JSONParser.parse(Array(bets.stdout.utf8)).arrayValue
        XCTAssertEqual(listed?.first?.objectValue?["id"]?.stringValue, "b1")
        let bet = try run(origin, ["bet", "show", "b1"])
        XCTAssertEqual(keyValues(bet.stdout)["potential payout"], "1470")

        let settled = try run(origin, ["market", "settle", "m0", "--winner", "home"])
        XCTAssertEqual(settled.status, 0, settled.stderr)
        XCTAssertEqual(settled.stdout, "market m0 settled: home 1/1; 1 bet changed\n")
        let resettled = try run(origin, ["market", "resettle", "m0", "--winner", "home:1/2"])
        XCTAssertEqual(resettled.stdout, "market m0 resettled: home 1/2; 1 bet changed\n")
        // 700 × 2.10 / 2 = 735.
        XCTAssertEqual(keyValues(try run(origin, ["bet", "show", "b1"]).stdout)["returned"], "735")
        let voided = try run(origin, ["bet", "void", "b1"])
        XCTAssertEqual(voided.stdout, "bet b1 voided\n")
        let check = try run(origin, ["ledger", "check"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertTrue(
            check.stdout.hasPrefix("ledger ok: 1 accounts, 8 entries, 1 bets"), check.stdout)

        for (arguments, expected) in [
            (["market", "settle", "m0"], "--winner SELECTION"),
            (["market", "settle", "m0", "--winner", "home:2/1"], "dead-heat share"),
            (["account", "deposit", "a1", "-5"], "unknown flag -5"),
            (["account", "deposit", "a1", "0"], "whole number of minor units"),
            (["account", "deposit", "a1", "10.50"], "whole number of minor units"),
            (["account", "limits", "a1"], "nothing to change"),
            (["token", "issue", "--account", "a1", "--ttl", "forever"], "duration"),
            (["bet", "show", "x1"], "expected b and a number"),
        ] {
            let refused = try run(origin, arguments)
            XCTAssertEqual(refused.status, 2, arguments.joined(separator: " "))
            XCTAssertTrue(refused.stderr.contains(expected), refused.stderr)
        }
    }

    /// Runs the built oddsctl with `arguments`, `input` on its stdin, and of the control
    /// variables only those in `environment`. `Command.run` takes no environment, so the
    /// program goes through `env -u NAME ... NAME=VALUE`.
    private func oddsctl(
        _ arguments: [String], environment: [String: String] = [:], input: [UInt8]? = nil
    ) throws -> Command.Output {
        let program = TestProcess.productsDirectory + "/oddsctl"
        let unset = Self.controlVariables.flatMap { ["-u", $0] }
        let set = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try Command.run(
            "env", unset + set + [program] + arguments, input: input, timeout: 20)
    }

    /// Runs oddsctl against `origin` with the right token.
    private func run(
        _ origin: OriginNode, _ arguments: [String], input: [UInt8]? = nil
    ) throws -> Command.Output {
        try oddsctl(
            ["--origin", url(origin), "--token", OriginNode.adminToken] + arguments,
            input: input)
    }

    private func url(_ origin: OriginNode) -> String {
        "http://127.0.0.1:\(origin.adminPort)"
    }

    // MARK: - Reading the origin and the output

    /// The market as the origin's admin API has it.
    private func marketAtOrigin(_ origin: OriginNode, _ id: String) async throws -> JSONObject {
        let response = try await origin.request(.get, "/v1/admin/markets/\(id)")
        try expectOK(response)
        return try XCTUnwrap(JSONParser.parse(response.body).objectValue)
    }

    /// Waits until the origin lists edge `id` as connected, having applied `applied`; false
    /// at the deadline.
    private func waitForEdge(
        _ origin: OriginNode, id: String, applied: Int64, timeout: Double = 20
    ) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let response = try? await origin.request(.get, "/v1/admin/edges"),
                let edges = try? JSONParser.parse(response.body).arrayValue,
                edges.contains(where: { edge in
                    let record = edge.objectValue
                    return record?["id"]?.stringValue == id
                        && record?["connected"]?.boolValue == true
                        && record?["appliedSequence"]?.int64Value ?? -1 >= applied
                })
            {
                return true
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    /// Each selection's decimal price, by selection id.
    private func prices(_ market: JSONObject) -> [String: String] {
        selectionFields(market) { $0["price"]?.objectValue?["decimal"]?.stringValue }
    }

    private func selectionNames(_ market: JSONObject) -> [String: String] {
        selectionFields(market) { $0["name"]?.stringValue }
    }

    private func selectionFields(
        _ market: JSONObject, _ field: (JSONObject) -> String?
    ) -> [String: String] {
        var fields: [String: String] = [:]
        for selection in market["selections"]?.arrayValue?.compactMap(\.objectValue) ?? [] {
            if let id = selection["id"]?.stringValue {
                fields[id] = field(selection)
            }
        }
        return fields
    }

    /// The `key: value` lines of a listing, by key.
    private func keyValues(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            XCTAssertEqual(parts.count, 2, "not a key: value line: \(line)")
            guard parts.count == 2 else { continue }
            values[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        return values
    }

    /// Where `title` starts in a table's title line, in characters.
    private func column(of title: String, in header: String) -> Int? {
        guard let range = header.range(of: " \(title)") else { return nil }
        return header.distance(from: header.startIndex, to: range.lowerBound) + 1
    }

    /// The rest of `row` from character `offset`.
    private func text(of row: String, from offset: Int) -> Substring {
        row.dropFirst(offset)
    }

    private func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }
}
