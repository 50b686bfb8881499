import Foundation
import JSON
import OddsClient
import TestSupport
import Transport
import XCTest

/// Live odds over Server-Sent Events from real edges: snapshot then changes, resume with
/// Last-Event-ID without loss or repeats, resets when history has moved on, staleness,
/// and load shedding.
final class StreamTests: XCTestCase {
    private func network(markets: Int, edgeSettings: [String: Any] = [:]) async throws
        -> (OriginNode, EdgeNode)
    {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: markets)
        var settings: [String: Any] = ["streamHeartbeatMs": 1000]
        settings.merge(edgeSettings) { _, new in new }
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress, settings: settings)
        try edge.start()
        let ready = await edge.waitForReady()
        XCTAssertTrue(ready, "the edge did not catch up")
        return (origin, edge)
    }

    func testASubscriberGetsTheSnapshotThenEachChangeOfItsMarketsOnly() async throws {
        let (origin, edge) = try await network(markets: 5)
        let watcher = try StreamRecorder(edges: [edge], query: "markets=m1,m3")
        await watcher.start()
        defer { watcher.stop() }
        let snapshot = await watcher.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(snapshot)
        let ids = watcher.latestMarkets.keys.sorted()
        XCTAssertEqual(ids, ["m1", "m3"])

        try expectOK(try await origin.request(
            .post, "/v1/admin/prices", json: """
                {"prices":[{"market":"m0","selection":"home","price":"4.00"},
                 {"market":"m1","selection":"home","price":"4.10"},
                 {"market":"m3","selection":"draw","price":"5.50"}]}
                """))
        let moved = await watcher.waitForEvent { event in
            event.event == "market" && event.data.contains("\"id\":\"m3\"")
        }
        XCTAssertTrue(moved)
        let changes = watcher.events.filter { $0.event == "market" }
        XCTAssertEqual(changes.map { Self.id(of: $0) }, ["m1", "m3"], "m0 is not subscribed")
        let m1 = watcher.latestMarkets["m1"]
        XCTAssertEqual(Self.price(m1, "home"), "4.10")
        XCTAssertNotNil(m1?["publishedAt"]?.stringValue, "every event carries the publish time")
        let sequences = watcher.changeSequences
        XCTAssertEqual(sequences, sequences.sorted())
        let head = try await origin.sequence()
        XCTAssertEqual(sequences.last.map { Int64($0) }, head)
    }

    func testResumeAfterADisconnectAtAThousandChangesASecondLosesAndRepeatsNothing() async throws {
        let (origin, edge) = try await network(markets: 100)
        let feed = PriceFeed(origin: origin, markets: 100, rate: 1000)
        let first = try StreamRecorder(edges: [edge])
        await first.start()
        let began = await first.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(began)
        feed.start()
        let flowing = await first.waitForEvent(timeout: 10) { $0.event == "market" }
        XCTAssertTrue(flowing)
        let some = await first.waitForEvent { _ in first.changeSequences.count >= 500 }
        XCTAssertTrue(some)
        first.stop()
        let resumeFrom = try XCTUnwrap(first.lastEventID)
        let seenBefore = first.changeSequences
        let snapshotID = try XCTUnwrap(first.events.first { $0.event == "snapshot" }?.lastEventID)

        // Changes go on while nobody listens; then the client comes back where it stopped.
        let moved = try await eventually(timeout: 10) {
            try await origin.sequence() > Int64(seenBefore.last ?? 0) + 500
        }
        XCTAssertTrue(moved, "the feed did not move on while the client was away")
        let second = try StreamRecorder(edges: [edge], lastEventID: resumeFrom)
        await second.start()
        defer { second.stop() }
        try await Task.sleep(nanoseconds: 500_000_000)
        try await feed.stop()
        let head = UInt64(try await origin.sequence())
        let caughtUp = await second.waitForEvent { _ in second.changeSequences.last == head }
        XCTAssertTrue(caughtUp, "the resumed stream did not reach the origin's head \(head): "
            + "\(second.events.count) events, \(second.events.prefix(3).map(\.event)), "
            + "lost \(second.lostReasons.prefix(2)), from \(resumeFrom); edge log: "
            + String((edge.process?.log ?? "").suffix(30000)))

        XCTAssertFalse(second.events.contains { $0.event == "snapshot" || $0.event == "reset" },
                       "a resume within the history needs no snapshot")
        let all = seenBefore + second.changeSequences
        let start = try XCTUnwrap(StreamRecorder.sequence(of: snapshotID))
        XCTAssertEqual(all.count, Int(head - start), "every change after the snapshot, once")
        XCTAssertEqual(all, Array((start + 1)...head), "in order, none missing, none repeated")
    }

    func testAResumeFromBeyondTheHistoryGetsAResetAndAFreshSnapshot() async throws {
        let (origin, edge) = try await network(
            markets: 20, edgeSettings: ["streamHistoryChanges": 50])
        let first = try StreamRecorder(edges: [edge])
        await first.start()
        let began = await first.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(began)
        first.stop()
        let old = try XCTUnwrap(first.lastEventID)

        try await origin.movePrices(count: 200, markets: 20, batchSize: 20)
        let head = try await origin.sequence()
        let reached = await edge.waitForSequence(head)
        XCTAssertTrue(reached)

        let second = try StreamRecorder(edges: [edge], lastEventID: old)
        await second.start()
        defer { second.stop() }
        let fresh = await second.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(fresh)
        XCTAssertEqual(second.events.prefix(2).map(\.event), ["reset", "snapshot"])
        let snapshot = try XCTUnwrap(second.events.first { $0.event == "snapshot" })
        XCTAssertEqual(StreamRecorder.sequence(of: snapshot.lastEventID), UInt64(head))
        XCTAssertEqual(second.latestMarkets.count, 20)

        // An id of another history (another epoch) is no resume point either.
        let foreign = try StreamRecorder(edges: [edge], lastEventID: "00000000000000ab-5")
        await foreign.start()
        defer { foreign.stop() }
        let reset = await foreign.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(reset)
        XCTAssertEqual(foreign.events.first?.event, "reset")
    }

    func testAnEdgeCutOffFromTheOriginSaysItsDataIsStaleAndRefusesBets() async throws {
        let network = try await BetNetwork(
            edgeSettings: ["staleAfterMs": 500, "streamHeartbeatMs": 1000])
        try await network.origin.seedCard(markets: 2)
        try await network.openAccount("acc1", deposit: 10_000)
        let token = try await network.token(for: "acc1")
        let edge = network.edges[0]
        let watcher = try StreamRecorder(edges: [edge], query: "markets=m0")
        await watcher.start()
        defer { watcher.stop() }
        let began = await watcher.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(began)

        // A frozen origin sends nothing, heartbeats included.
        network.origin.process?.send(SIGSTOP)
        let stale = await watcher.waitForEvent(timeout: 10) { $0.event == "stale" }
        network.origin.process?.send(SIGCONT)
        XCTAssertTrue(stale, "stream clients were not told the data is stale")
        let staleNotice = watcher.events.first { $0.event == "stale" }
        XCTAssertEqual(
            (try? JSONParser.parse(Array(staleNotice?.data.utf8 ?? "".utf8)))?
                .objectValue?["stale"]?.boolValue, true)

        let fresh = await watcher.waitForEvent(timeout: 10) { $0.event == "fresh" }
        XCTAssertTrue(fresh, "stream clients were not told the data is fresh again")

        network.origin.process?.send(SIGSTOP)
        let staleAgain = try await eventually(timeout: 10) {
            watcher.events.filter { $0.event == "stale" }.count == 2
        }
        let refused = try await edge.placeBet(
            token: token, key: "stale-1",
            json: EdgeNode.betJSON(market: "m0", price: "2.10", stake: 100))
        network.origin.process?.send(SIGCONT)
        XCTAssertTrue(staleAgain)
        XCTAssertEqual(refused.status, 503, refused.text)
        XCTAssertNotNil(refused.headers["retry-after"])
        let account = try await network.account("acc1")
        XCTAssertEqual(account["balance"]?.int64Value, 10_000, "nothing was placed")
    }

    func testAFullEdgeTurnsNewStreamsAwayWithARetryNotAnError() async throws {
        let (_, edge) = try await network(markets: 2, edgeSettings: ["maxStreamClients": 1])
        let held = try StreamRecorder(edges: [edge])
        await held.start()
        defer { held.stop() }
        let began = await held.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(began)

        // Over HTTP/1.1 with curl, as a browser's EventSource would ask.
        let turned = try Command.run(
            "curl", ["-s", "-i", "--max-time", "5", "http://127.0.0.1:\(edge.port)/v1/stream"])
        XCTAssertTrue(turned.stdout.hasPrefix("HTTP/1.1 200"), turned.stdout)
        XCTAssertTrue(turned.stdout.contains("content-type: text/event-stream"), turned.stdout)
        let lines = turned.stdout.split(whereSeparator: \.isNewline)
        let retry = lines.first { $0.hasPrefix("retry: ") }
        let delay = retry.flatMap { Int($0.dropFirst("retry: ".count)
            .trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
        XCTAssertGreaterThanOrEqual(delay, 5000, turned.stdout)
        XCTAssertFalse(turned.stdout.contains("event: snapshot"))
        let shed = await edge.metric("edge_streams_shed_total")
        XCTAssertEqual(shed, 1)
    }

    func testAClientThatStopsReadingForTenSecondsIsConflatedNotBuffered() async throws {
        let markets = 100
        let (origin, edge) = try await network(
            markets: markets,
            edgeSettings: ["streamHistoryChanges": 2000, "streamHeartbeatMs": 1000])
        let pid = try XCTUnwrap(edge.process?.process.processIdentifier)
        let before = try XCTUnwrap(Self.anonymousMemoryKiB(pid))

        // HTTP/1.0: the body is the event stream itself, unchunked. A small receive buffer,
        // so the kernel does not soak up what the edge must hold back.
        let connection = try RawHTTP2Connection(port: edge.port, readTimeout: 10)
        var small: Int32 = 16 * 1024
        setsockopt(
            connection.fd, SOL_SOCKET, SO_RCVBUF, &small, socklen_t(MemoryLayout<Int32>.size))
        XCTAssertTrue(connection.send(Array("GET /v1/stream HTTP/1.0\r\n\r\n".utf8)))

        let feed = PriceFeed(origin: origin, markets: markets, rate: 3000)
        feed.start()
        let tenSeconds = Date().addingTimeInterval(10)
        var peak = before
        while Date() < tenSeconds {
            // Not reading: only watching the edge's memory while changes pile up.
            peak = max(peak, Self.anonymousMemoryKiB(pid) ?? 0)
            try await Task.sleep(nanoseconds: 200_000_000)
        }
        let sent = try await feed.stop()
        XCTAssertGreaterThan(sent, 20_000, "the feed ran too slowly to fill the stream")
        let grown = peak - before
        let offered = sent * 600 / 1024
        // Buffering them would grow the edge by about what went by, less the socket buffers;
        // conflating holds a few hundred KiB. (The thread sanitizer's allocator inflates
        // every heap, so the bound is only checked without it.)
        if ProcessInfo.processInfo.environment["TSAN_OPTIONS"] == nil {
            XCTAssertLessThan(grown, offered / 3, "the edge held \(grown) KiB for one slow "
                + "client while \(sent) changes (about \(offered) KiB of events) went by")
        }

        // Reading again: the latest state of every market arrives, after a conflated notice.
        let expected = try await Self.originVersions(origin)
        var parser = ServerSentEventParser()
        var latest: [String: Int64] = [:]
        var events: [String] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, latest != expected {
            let read = recv(connection.fd, &buffer, buffer.count, 0)
            guard read > 0 else { break }
            for event in parser.feed(buffer[0..<read]) {
                events.append(event.event)
                guard let value = try? JSONParser.parse(Array(event.data.utf8)) else { continue }
                let documents = event.event == "snapshot"
                    ? value.objectValue?["markets"]?.arrayValue ?? []
                    : event.event == "market" ? [value] : []
                for case .object(let market) in documents {
                    if let id = market["id"]?.stringValue,
                        let version = market["version"]?.int64Value
                    {
                        latest[id] = version
                    }
                }
            }
        }
        XCTAssertEqual(latest, expected, "the final state of every market")
        XCTAssertTrue(events.contains("conflated"), "the client was told it was conflated")
        let conflations = await edge.metric("edge_stream_conflations_total") ?? 0
        XCTAssertGreaterThan(conflations, 0)
    }

    func testAMalformedSubscriptionIsA400() async throws {
        let (_, edge) = try await network(markets: 1)
        let bad = try await edge.get("/v1/stream?markets=m1,not%20an%20id")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.headers["content-type"], "application/problem+json")
        XCTAssertTrue(bad.text.contains("markets"), bad.text)
    }

    /// The process's anonymous memory (heap, not the LMDB map's file pages), KiB.
    static func anonymousMemoryKiB(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Each market's version at the origin.
    static func originVersions(_ origin: OriginNode) async throws -> [String: Int64] {
        let answer = try await origin.request(.get, "/v1/admin/markets")
        var versions: [String: Int64] = [:]
        for case .object(let market) in try JSONParser.parse(answer.body).arrayValue ?? [] {
            if let id = market["id"]?.stringValue, let version = market["version"]?.int64Value {
                versions[id] = version
            }
        }
        return versions
    }

    static func id(of event: ServerSentEventMessage) -> String? {
        (try? JSONParser.parse(Array(event.data.utf8)))?.objectValue?["id"]?.stringValue
    }

    static func price(_ market: JSONObject?, _ selection: String) -> String? {
        market?["selections"]?.arrayValue?.lazy.compactMap(\.objectValue)
            .first { $0["id"]?.stringValue == selection }?["price"]?.objectValue?["decimal"]?
            .stringValue
    }
}
