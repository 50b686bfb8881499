import Foundation
import OddsClient
import TestSupport
import XCTest

/// The nearest-edge client against real edges: it ranks them, streams from the nearest, and
/// when that edge is killed it resumes from the other one without a gap or a repeat.
final class NearestEdgeTests: XCTestCase {
    func testTheClientFailsOverWhenItsEdgeIsKilledAndResumesWithoutAGap() async throws {
        let origin = try OriginNode()
        try origin.start()
        try await origin.seedCard(markets: 50)
        var edges: [EdgeNode] = []
        for index in 1...2 {
            let edge = try EdgeNode(
                id: "edge-\(index)", upstream: origin.feedAddress,
                settings: ["streamHeartbeatMs": 1000])
            try edge.start()
            let ready = await edge.waitForReady()
            XCTAssertTrue(ready)
            edges.append(edge)
        }
        let watcher = try StreamRecorder(edges: edges, silenceMilliseconds: 3000)
        await watcher.start()
        defer { watcher.stop() }
        let began = await watcher.waitForEvent { $0.event == "snapshot" }
        XCTAssertTrue(began)
        let snapshotID = try XCTUnwrap(watcher.events.first?.lastEventID)

        let feed = PriceFeed(origin: origin, markets: 50, rate: 300)
        feed.start()
        let flowing = await watcher.waitForEvent { _ in watcher.changeSequences.count >= 100 }
        XCTAssertTrue(flowing)
        let first = try XCTUnwrap(watcher.edgesConnected.first)
        let victim = try XCTUnwrap(edges.first { edge in
            first.hostPort == "127.0.0.1:\(edge.port)"
        })
        victim.kill9()

        let movedOver = await watcher.waitForEvent { _ in
            watcher.edgesConnected.count >= 2 && watcher.changeSequences.count >= 300
        }
        XCTAssertTrue(movedOver, "the client did not carry on from the other edge")
        try await feed.stop()
        let head = UInt64(try await origin.sequence())
        let caughtUp = await watcher.waitForEvent { _ in watcher.changeSequences.last == head }
        XCTAssertTrue(caughtUp, "the client did not reach the origin's head after failing over")

        XCTAssertNotEqual(watcher.edgesConnected.last, first)
        XCTAssertFalse(watcher.events.contains { $0.event == "reset" })
        XCTAssertEqual(watcher.events.filter { $0.event == "snapshot" }.count, 1,
                       "the other edge resumed the stream; it did not start it afresh")
        let start = try XCTUnwrap(StreamRecorder.sequence(of: snapshotID))
        XCTAssertEqual(watcher.changeSequences, Array((start + 1)...head),
                       "every change once, in order, across the failover")
    }
}
