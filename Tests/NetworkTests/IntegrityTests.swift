import JSON
import OddsModel
import Store
import TestSupport
import Transport
import XCTest

/// Markets damaged in an edge's store on purpose are found by the digest check and repaired
/// from the origin.
final class IntegrityTests: XCTestCase {
    func testCorruptedMissingAndExtraMarketsAreFoundAndRepaired() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        try await origin.seedCard(markets: 5)
        let head = try await origin.sequence()
        let reached = await edge.waitForSequence(head)
        XCTAssertTrue(reached)
        XCTAssertEqual(edge.terminate(), 0)

        try damage(edge.dataDirectory)

        try edge.start()
        let rejoined = await edge.waitForReady()
        XCTAssertTrue(rejoined, "the edge did not catch up after its restart")
        let corrupted = try await edge.get("/v1/markets/m2")
        XCTAssertTrue(corrupted.text.contains("\"decimal\":\"9.99\""), "the damage did not take")
        let report = try await checkIntegrity(edge)
        XCTAssertEqual(report?["digest"]?.stringValue, "repaired")
        XCTAssertEqual(report?["marketsRepaired"]?.int64Value, 3)
        try await assertSameMarkets(origin, edge)
        let extra = try await edge.get("/v1/markets/ghost")
        XCTAssertEqual(extra.status, 404)

        // Changes after the repair apply over the repaired markets as over any other.
        let moved = try await origin.request(
            .post, "/v1/admin/prices", json: #"{"prices":["#
                + #"{"market":"m2","selection":"home","price":"2.34"},"#
                + #"{"market":"m3","selection":"home","price":"2.36"}]}"#)
        XCTAssertEqual(moved.status, 200, moved.text)
        let caughtUp = await edge.waitForSequence(try await origin.sequence())
        XCTAssertTrue(caughtUp)
        try await assertSameMarkets(origin, edge)
        let m3 = try await edge.get("/v1/markets/m3")
        XCTAssertTrue(m3.text.contains("\"decimal\":\"2.36\""), m3.text)

        // The origin hears of the result with the edge's next acknowledgement.
        let reported = try await eventually(timeout: 10) {
            let edges = try await origin.request(.get, "/v1/admin/edges")
            return edges.text.contains("\"digest\":\"repaired\"")
        }
        XCTAssertTrue(reported)
        let again = try await checkIntegrity(edge)
        XCTAssertEqual(again?["digest"]?.stringValue, "match")
        let repairs = await edge.metric("edge_integrity_repairs_total")
        XCTAssertEqual(repairs, 3)
    }

    func testTheCheckNeedsTheEdgeAdminToken() async throws {
        let origin = try OriginNode()
        try origin.start()
        let edge = try EdgeNode(id: "edge-1", upstream: origin.feedAddress)
        try edge.start()
        let response = try await edge.client.execute(HTTPClientRequest(
            method: .post, path: "/v1/admin/integrity-check",
            headers: ["authorization": "Bearer wrong-token-000000000"], timeout: .seconds(5)))
        XCTAssertEqual(response.status, 401)
    }

    /// Changes m2's price behind the edge's back (same version, other content), deletes m3,
    /// and adds a market the origin never had.
    private func damage(_ directory: String) throws {
        let store = try StoreEnvironment(directory: directory)
        let markets = try store.table("markets")
        try store.write { txn in
            let record = try XCTUnwrap(try txn.get(markets, Array("m2".utf8)))
            let wireLength = record.withUnsafeBytes {
                Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
            }
            var market = try record.withUnsafeBytes { raw in
                try Market(
                    wireBytes: UnsafeRawBufferPointer(rebasing: raw[20..<(20 + wireLength)]))
            }
            market.selections[0].price = try Price(parsing: "9.99")
            try txn.put(markets, Array("m2".utf8), Self.record(market, header: record))
            XCTAssertTrue(try txn.delete(markets, Array("m3".utf8)))
            var ghost = market
            ghost.id = "ghost"
            try txn.put(markets, Array("ghost".utf8), Self.record(ghost, header: record))
        }
    }

    /// An edge record (`[version][published][wire length][wire][json]`) for `market`, with
    /// the version and publish time of `header`'s record.
    private static func record(_ market: Market, header: [UInt8]) -> [UInt8] {
        let wire = market.wireBytes
        var bytes = Array(header[0..<16])
        withUnsafeBytes(of: UInt32(wire.count).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + wire + market.jsonBytes
    }

    private func checkIntegrity(_ edge: EdgeNode) async throws -> JSONObject? {
        let response = try await edge.client.execute(HTTPClientRequest(
            method: .post, path: "/v1/admin/integrity-check",
            headers: ["authorization": "Bearer \(EdgeNode.adminToken)"], timeout: .seconds(10)))
        XCTAssertEqual(response.status, 200, response.text)
        return try JSONParser.parse(response.body).objectValue
    }
}
