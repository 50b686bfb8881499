import JSON
import TestSupport
import Transport
import XCTest

/// The origin goes away and comes back, with its history, without it, or as a new store.
final class OriginRestartTests: XCTestCase {
    func testEdgesReconnectAndConvergeAfterTheOriginRestarts() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edges = try [1, 2].map {
            try EdgeNode(
                id: "edge-\($0)", upstream: origin.feedAddress, settings: ["staleAfterMs": 500])
        }
        for edge in edges {
            try edge.start()
        }
        try await origin.seedCard(markets: 5)
        let before = try await origin.sequence()
        for edge in edges {
            let reached = await edge.waitForSequence(before)
            XCTAssertTrue(reached)
        }

        origin.kill9()
        // The edges keep serving while the origin is away, marked stale once it is late.
        let stale = try await eventually(timeout: 10) {
            let response = try await edges[0].get("/v1/markets/m1")
            return response.status == 200 && response.headers["x-odds-stale"] == "true"
        }
        XCTAssertTrue(stale, "reads during the outage are not marked stale")

        try origin.start()
        try await origin.movePrices(count: 20, markets: 5, batchSize: 5)
        let after = try await origin.sequence()
        XCTAssertGreaterThan(after, before)
        for edge in edges {
            let reached = await edge.waitForSequence(after)
            XCTAssertTrue(reached, "\(edge.id) did not converge after the restart")
            let response = try await edge.get("/v1/markets/m1")
            XCTAssertNil(response.headers["x-odds-stale"])
            let snapshots = edge.process?.log.components(separatedBy: "feed.snapshot_applied")
            XCTAssertEqual(
                snapshots?.count, 2, "only the first, empty snapshot: the log covers a restart")
        }
    }

    func testAnEdgeThatJoinsAfterTheLogWasTrimmedGetsASnapshot() async throws {
        let origin = try OriginNode(settings: ["logRetentionChanges": 10])
        try origin.start()
        try await origin.seedCard(markets: 20)
        try await origin.movePrices(count: 100, markets: 20, batchSize: 10)
        let head = try await origin.sequence()
        // Retention runs about once a second; wait until the log holds the last 10 only.
        let trimmed = try await eventually(timeout: 10) {
            let first = try await origin.status()["logFirstSequence"]?.int64Value ?? 0
            return first == head - 9
        }
        XCTAssertTrue(trimmed, "the log was not trimmed to 10 changes")

        let late = try EdgeNode(id: "late", upstream: origin.feedAddress)
        try late.start()
        let reached = await late.waitForSequence(head)
        XCTAssertTrue(reached)
        XCTAssertNotNil(late.process?.waitForLogLine(containing: "feed.snapshot_applied"))
        try await assertSameMarkets(origin, late)

        // Changes after the snapshot arrive as batches.
        try await origin.movePrices(count: 5, markets: 20, batchSize: 5)
        let next = try await origin.sequence()
        let followed = await late.waitForSequence(next)
        XCTAssertTrue(followed)
        try await assertSameMarkets(origin, late)
    }

    func testAFreshOriginStoreMakesEdgesResynchroniseInsteadOfMixingHistories() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        try await origin.seedCard(markets: 4, prefix: "old")
        let oldEpoch = try await origin.status()["epoch"]?.stringValue
        let oldHead = try await origin.sequence()
        let reached = await edge.waitForSequence(oldHead)
        XCTAssertTrue(reached)

        // Replace the origin's store with an empty one: a new epoch, and sequence numbers
        // that start again from 1 and would collide with the old ones.
        XCTAssertEqual(origin.terminate(), 0)
        try FileManager.default.removeItem(atPath: origin.dataDirectory)
        try origin.start()
        try await origin.seedCard(markets: 2, prefix: "new")
        let newEpoch = try await origin.status()["epoch"]?.stringValue
        XCTAssertNotEqual(newEpoch, oldEpoch)

        let converged = try await eventually(timeout: 20) {
            let ready = try await edge.get("/readyz")
            let state = try JSONParser.parse(ready.body).objectValue
            let head = try await origin.sequence()
            return state?["epoch"]?.stringValue == newEpoch
                && state?["appliedSequence"]?.int64Value == head
        }
        XCTAssertTrue(converged, "the edge did not move to the new epoch")
        let gone = try await edge.get("/v1/markets/old1")
        XCTAssertEqual(gone.status, 404, "a market of the old history survived")
        try await assertSameMarkets(origin, edge)
        XCTAssertNotNil(edge.process?.waitForLogLine(containing: "feed.snapshot_started"))
    }

    func testNewEpochFlagCutsTheHistory() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 2)
        let first = try await origin.status()
        XCTAssertEqual(origin.terminate(), 0)
        try origin.start(arguments: ["--new-epoch"])
        let second = try await origin.status()
        XCTAssertNotEqual(first["epoch"], second["epoch"])
        XCTAssertEqual(first["sequence"], second["sequence"])
        XCTAssertEqual(first["digest"], second["digest"], "the markets themselves stay")
        XCTAssertEqual(
            second["logFirstSequence"]?.int64Value, (second["sequence"]?.int64Value ?? 0) + 1,
            "the log is empty after a new epoch")
    }
}

/// Polls `condition` until it holds or `timeout` seconds pass; errors count as not yet.
func eventually(timeout: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? await condition()) == true { return true }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    return (try? await condition()) == true
}

/// Every market at the edge equals the origin's, document for document.
func assertSameMarkets(
    _ origin: OriginNode, _ edge: EdgeNode, file: StaticString = #filePath, line: UInt = #line
) async throws {
    let expected = try await origin.request(.get, "/v1/admin/markets")
    let actual = try await edge.get("/v1/markets")
    XCTAssertEqual(actual.status, 200, file: file, line: line)
    XCTAssertEqual(
        withoutPublishTimes(try JSONParser.parse(actual.body)),
        try JSONParser.parse(expected.body), "markets differ", file: file, line: line)
}

/// `value` without the `publishedAt` members an edge adds to what the origin sent: the time the
/// origin published each record, which the origin's own admin listing does not repeat.
func withoutPublishTimes(_ value: JSONValue) -> JSONValue {
    switch value {
    case .array(let elements):
        return .array(elements.map(withoutPublishTimes))
    case .object(let object):
        return .object(JSONObject(object.members.compactMap { member in
            member.key == "publishedAt" ? nil : (member.key, withoutPublishTimes(member.value))
        }))
    default:
        return value
    }
}
