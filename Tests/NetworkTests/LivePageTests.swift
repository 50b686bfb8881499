import Foundation
import JSON
import TestSupport
import XCTest

/// The live odds page in a real browser (headless Chromium): it shows the card, a price
/// change arrives and is highlighted, a customer with a token places a bet from it, and it
/// marks its prices stale while the origin is frozen. The screenshot is kept in
/// `.build/artifacts/live-page.png`.
final class LivePageTests: XCTestCase {
    func testThePageShowsPricesMovingTakesABetAndMarksStaleData() async throws {
        let network = try await BetNetwork(edgeSettings: ["staleAfterMs": 1000])
        try await network.origin.seedCard(markets: 12)
        try await network.openAccount("web", deposit: 10_000)
        let token = try await network.token(for: "web")
        let edge = network.edges[0]
        let feed = PriceFeed(origin: network.origin, markets: 12, rate: 20)
        feed.start()

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let artifacts = root.appendingPathComponent(".build/artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("live-page.png").path
        let originPID = try XCTUnwrap(network.origin.process?.process.processIdentifier)
        let check = try Command.run(
            "/usr/bin/python3",
            [root.appendingPathComponent("scripts/browser/live-page-check.py").path,
             "http://127.0.0.1:\(edge.port)/", screenshot, token, "\(originPID)"],
            timeout: 120)
        try await feed.stop()

        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        let seen = try JSONParser.parse(Array(check.stdout.utf8)).objectValue
        XCTAssertEqual(seen?["markets"]?.int64Value, 12)
        XCTAssertEqual(seen?["status"]?.stringValue, "live")
        XCTAssertGreaterThanOrEqual(seen?["changes"]?.int64Value ?? 0, 1)
        XCTAssertGreaterThanOrEqual(seen?["highlighted"]?.int64Value ?? 0, 1)
        XCTAssertTrue(seen?["bet"]?.stringValue?.hasPrefix("accepted: bet b1") == true,
                      "\(seen?["bet"]?.stringValue ?? "no bet")")
        XCTAssertTrue(seen?["staleShown"]?.stringValue?.contains("out of date") == true)
        XCTAssertEqual(seen?["staleCleared"]?.boolValue, true)
        XCTAssertTrue(FileManager.default.fileExists(atPath: screenshot))

        // The bet the page placed is the customer's, at the origin.
        let account = try await network.account("web")
        XCTAssertEqual(account["balance"]?.int64Value, 10_000 - 250)
    }

    func testThePageIsPlainHTMLFromEveryEdge() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        let page = try await edge.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(page.text.contains("new EventSource(\"/v1/stream\""))
    }
}
