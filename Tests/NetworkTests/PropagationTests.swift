import JSON
import TestSupport
import Transport
import XCTest

/// A price set at the origin reaches every edge, with the same version, and caching works.
final class PropagationTests: XCTestCase {
    func testPriceSetAtOriginIsReadableAtBothEdgesWithTheSameVersion() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edges = try [1, 2].map { try EdgeNode(id: "edge-\($0)", upstream: origin.feedAddress) }
        for edge in edges {
            try edge.start()
        }
        try await origin.seedCard(markets: 3)
        let set = try await origin.request(
            .post, "/v1/admin/prices",
            json: #"{"prices":[{"market":"m1","selection":"draw","price":"3.55"}]}"#)
        try expectOK(set)
        let sequence = try XCTUnwrap(Int64(set.headers["x-odds-sequence"] ?? ""))

        var versions: [Int64] = []
        var publishTimes: [String] = []
        for edge in edges {
            let reached = await edge.waitForSequence(sequence)
            XCTAssertTrue(reached, "\(edge.id) did not reach \(sequence)")
            let response = try await edge.get("/v1/markets/m1")
            XCTAssertEqual(response.status, 200)
            let market = try XCTUnwrap(JSONParser.parse(response.body).objectValue)
            versions.append(market["version"]?.int64Value ?? -1)
            let draw = market["selections"]?.arrayValue?.compactMap(\.objectValue)
                .first { $0["id"]?.stringValue == "draw" }
            XCTAssertEqual(
                draw?["price"]?.objectValue?["decimal"]?.stringValue, "3.55", edge.id)
            XCTAssertNotNil(response.headers["etag"])
            let published = market["publishedAt"]?.stringValue ?? ""
            XCTAssertNotNil(
                published.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/), published)
            publishTimes.append(published)
            XCTAssertNotNil(response.headers["age"])
            XCTAssertEqual(response.headers["cache-control"], "public, max-age=1")
        }
        XCTAssertEqual(versions, [sequence, sequence])
        // The origin's commit time of the version, the same at both edges.
        XCTAssertEqual(Set(publishTimes).count, 1)

        // The same ETag from both edges, and 304 when it is sent back.
        let first = try await edges[0].get("/v1/markets/m1")
        let second = try await edges[1].get("/v1/markets/m1")
        let etag = try XCTUnwrap(first.headers["etag"])
        XCTAssertEqual(second.headers["etag"], etag)
        let revalidated = try await edges[1].get(
            "/v1/markets/m1", headers: ["if-none-match": etag])
        XCTAssertEqual(revalidated.status, 304)
        XCTAssertTrue(revalidated.body.isEmpty)

        // A change gives a new tag, and the old one no longer matches.
        try expectOK(try await origin.request(.post, "/v1/admin/markets/m1/suspend"))
        let suspended = try await origin.sequence()
        _ = await edges[0].waitForSequence(suspended)
        let changed = try await edges[0].get("/v1/markets/m1", headers: ["if-none-match": etag])
        XCTAssertEqual(changed.status, 200)
        XCTAssertNotEqual(changed.headers["etag"], etag)
        XCTAssertTrue(changed.text.contains("\"status\":\"suspended\""))
    }

    func testListsFilterBySportStatusAndInPlay() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        try await origin.seedCard(markets: 2)
        try expectOK(try await origin.request(.put, "/v1/admin/events/t1", json: """
            {"sport":"tennis","competition":"Open","name":"A v B",
             "startTime":"2026-12-05T12:00:00Z","status":"in_play"}
            """))
        try expectOK(try await origin.request(.put, "/v1/admin/markets/t1-winner", json: """
            {"event":"t1","type":"match_winner","name":"Winner","inPlay":true,"betDelayMs":3000,
             "selections":[{"id":"a","name":"A","price":"1.80"},
                           {"id":"b","name":"B","price":"2.05"}]}
            """))
        try expectOK(try await origin.request(.post, "/v1/admin/markets/m0/suspend"))
        let head = try await origin.sequence()
        let reached = await edge.waitForSequence(head)
        XCTAssertTrue(reached)

        func ids(_ path: String) async throws -> [String] {
            let response = try await edge.get(path)
            XCTAssertEqual(response.status, 200, path)
            return try JSONParser.parse(response.body).arrayValue?
                .compactMap { $0.objectValue?["id"]?.stringValue } ?? []
        }
        let tennis = try await ids("/v1/events?sport=tennis")
        XCTAssertEqual(tennis, ["t1"])
        let live = try await ids("/v1/events?inPlay=true")
        XCTAssertEqual(live, ["t1"])
        let scheduled = try await ids("/v1/events?status=scheduled")
        XCTAssertEqual(scheduled, ["e1"])
        let open = try await ids("/v1/markets?status=open")
        XCTAssertEqual(open, ["m1", "t1-winner"])
        let inPlay = try await ids("/v1/markets?inPlay=true")
        XCTAssertEqual(inPlay, ["t1-winner"])
        let ofEvent = try await ids("/v1/markets?event=e1")
        XCTAssertEqual(ofEvent, ["m0", "m1"])

        let event = try await edge.get("/v1/events/t1")
        XCTAssertEqual(event.status, 200)
        XCTAssertTrue(event.text.contains("\"markets\":[{\"id\":\"t1-winner\""))
        let missing = try await edge.get("/v1/markets/nope")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.headers["content-type"], "application/problem+json")
        let bad = try await edge.get("/v1/markets?inPlay=maybe")
        XCTAssertEqual(bad.status, 400)
    }

    /// `/readyz?after=N` holds the answer until the edge has applied past N, or until
    /// `waitMs` has passed; a bad `after` or `waitMs` is refused.
    func testReadinessWaitsForTheEdgeToApplyPastASequence() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        try await origin.seedCard(markets: 1)
        let head = try await origin.sequence()
        let caughtUp = await edge.waitForSequence(head)
        XCTAssertTrue(caughtUp)

        // Nothing new: the answer comes at the deadline, with the sequence unchanged.
        let started = Date()
        let timedOut = try await edge.get("/readyz?after=\(head)&waitMs=300")
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 0.25)
        XCTAssertEqual(try applied(timedOut), head)

        // A change made while the request waits answers it at once.
        async let waited = edge.get("/readyz?after=\(head)&waitMs=20000")
        var waiting = 0.0
        let deadline = Date().addingTimeInterval(10)
        while waiting < 1, Date() < deadline {
            waiting = await edge.metric("edge_readiness_waiters") ?? 0
        }
        XCTAssertEqual(waiting, 1, "the request never waited")
        let changeStarted = Date()
        try expectOK(try await origin.request(
            .post, "/v1/admin/prices",
            json: #"{"prices":[{"market":"m0","selection":"draw","price":"3.55"}]}"#))
        let answer = try await waited
        XCTAssertLessThan(Date().timeIntervalSince(changeStarted), 5)
        XCTAssertEqual(answer.status, 200)
        XCTAssertEqual(try applied(answer), head + 1)

        // Already past: answered at once.
        let past = try await edge.get("/readyz?after=\(head - 1)&waitMs=20000")
        XCTAssertEqual(try applied(past), head + 1)

        for bad in ["after=-1", "after=x", "after=1&waitMs=60001", "after=1&waitMs=x"] {
            let refused = try await edge.get("/readyz?\(bad)")
            XCTAssertEqual(refused.status, 400, bad)
            XCTAssertEqual(refused.headers["content-type"], "application/problem+json", bad)
        }
    }

    /// The store is flushed to disk in the background every `storeSyncIntervalMs` while it
    /// has changes, and not at all while it has none.
    func testTheStoreIsFlushedOnItsIntervalWhileItHasChanges() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(
            id: "edge-1", upstream: origin.feedAddress, settings: ["storeSyncIntervalMs": 50])
        try edge.start()
        try await origin.seedCard(markets: 1)
        let head = try await origin.sequence()
        let caughtUp = await edge.waitForSequence(head)
        XCTAssertTrue(caughtUp)
        func syncs() async -> Double {
            await edge.metric("edge_store_sync_seconds_count") ?? -1
        }
        var flushed = await syncs()
        let deadline = Date().addingTimeInterval(10)
        while flushed < 1, Date() < deadline {
            _ = try await edge.get("/readyz?after=\(head)&waitMs=50")
            flushed = await syncs()
        }
        XCTAssertGreaterThanOrEqual(flushed, 1, "the store was never flushed")
        // Nothing new: the flusher has nothing to do.
        _ = try await edge.get("/readyz?after=\(head)&waitMs=300")
        let idle = await syncs()
        _ = try await edge.get("/readyz?after=\(head)&waitMs=300")
        let stillIdle = await syncs()
        XCTAssertEqual(idle, stillIdle)
    }

    private func applied(_ response: HTTPClientResponse) throws -> Int64 {
        let document = try XCTUnwrap(JSONParser.parse(response.body).objectValue)
        return try XCTUnwrap(document["appliedSequence"]?.int64Value)
    }
}
