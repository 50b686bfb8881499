import Foundation
import TestSupport
import XCTest

/// The edge commits without syncing. A process crash loses nothing; a power loss may leave a
/// torn store, which the edge must not use. The edge keeps the boot id of the kernel it last
/// opened the store under (`boot-state`): the tests stand in for a reboot by writing another
/// boot id there while the edge is down.
final class PowerLossTests: XCTestCase {
    func testAStoreLeftOpenAcrossARebootIsSetAsideAndRefilledFromASnapshot() async throws {
        let (origin, edge, head) = try await seededNetwork()
        edge.kill9()
        XCTAssertTrue(try bootRecord(edge).hasSuffix(" open nosync"))
        try "0000-another-boot open\n".write(
            toFile: edge.dataDirectory + "/boot-state", atomically: true, encoding: .utf8)

        try edge.start()
        XCTAssertNotNil(edge.process?.waitForLogLine(containing: "store.discarded"))
        XCTAssertTrue(FileManager.default.fileExists(
            atPath: edge.dataDirectory + "/data.mdb.discarded"))
        let refilled = await edge.waitForSequence(head)
        XCTAssertTrue(refilled, "the fresh store never caught up")
        let snapshots = await edge.metric("edge_feed_snapshots_total")
        XCTAssertEqual(snapshots, 1)
        let market = try await edge.get("/v1/markets/m19")
        XCTAssertEqual(market.status, 200)
        XCTAssertEqual(edge.terminate(), 0)
        XCTAssertTrue(try bootRecord(edge).hasSuffix(" clean"))
        let originHead = try await origin.sequence()
        XCTAssertEqual(originHead, head)
    }

    func testAProcessCrashOrACleanStopBeforeARebootKeepsTheStore() async throws {
        let (origin, edge, head) = try await seededNetwork()

        // kill -9, same boot: the kernel had every page.
        edge.kill9()
        try edge.start()
        let resumed = await edge.waitForSequence(head)
        XCTAssertTrue(resumed)
        let afterCrash = await edge.metric("edge_feed_snapshots_total")
        XCTAssertEqual(afterCrash, 0, "the edge resumed from a snapshot, not its store")

        // A clean stop syncs the store: a reboot after it changes nothing.
        XCTAssertEqual(edge.terminate(), 0)
        let record = try bootRecord(edge)
        XCTAssertTrue(record.hasSuffix(" clean"), record)
        try await expectKeptAfterReboot(edge, record: "0000-another-boot clean", head: head)
        let originHead = try await origin.sequence()
        XCTAssertEqual(originHead, head)
    }

    func testAStoreThatSyncsEveryCommitIsKeptAcrossAReboot() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(
            id: "edge-1", upstream: origin.feedAddress, settings: ["storeSyncIntervalMs": 0])
        try edge.start()
        try await origin.seedCard(markets: 5)
        let head = try await origin.sequence()
        let reached = await edge.waitForSequence(head)
        XCTAssertTrue(reached)
        edge.kill9()
        XCTAssertTrue(try bootRecord(edge).hasSuffix(" open sync"))
        try await expectKeptAfterReboot(edge, record: "0000-another-boot open sync", head: head)
        let originHead = try await origin.sequence()
        XCTAssertEqual(originHead, head)
    }

    /// Stands in for a reboot with `record` as the boot record, restarts the edge, and
    /// checks that it kept its store: caught up again without a snapshot or a discard.
    private func expectKeptAfterReboot(_ edge: EdgeNode, record: String, head: Int64)
        async throws
    {
        try (record + "\n").write(
            toFile: edge.dataDirectory + "/boot-state", atomically: true, encoding: .utf8)
        try edge.start()
        let back = await edge.waitForSequence(head)
        XCTAssertTrue(back)
        let snapshots = await edge.metric("edge_feed_snapshots_total")
        XCTAssertEqual(snapshots, 0, "the edge refilled its store instead of keeping it")
        XCTAssertFalse(edge.process?.log.contains("store.discarded") ?? true)
    }

    /// An origin with 20 markets and an edge that has applied them, and the origin's head.
    private func seededNetwork() async throws -> (OriginNode, EdgeNode, Int64) {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        try await origin.seedCard(markets: 20)
        let head = try await origin.sequence()
        let reached = await edge.waitForSequence(head)
        XCTAssertTrue(reached)
        return (origin, edge, head)
    }

    private func bootRecord(_ edge: EdgeNode) throws -> String {
        try String(contentsOfFile: edge.dataDirectory + "/boot-state", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
