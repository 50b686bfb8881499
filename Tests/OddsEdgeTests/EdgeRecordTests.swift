import Store
import TestSupport
import Testing

@testable import OddsEdge

/// How the edge stores a record over the one there: never over a newer one (a market the
/// integrity check repaired from the origin can be ahead of the change being applied).
@Suite struct EdgeRecordTests {
    @Test func aRecordIsStoredUnlessTheOneThereIsNewer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = try StoreEnvironment(
            directory: directory.path, configuration: StoreConfiguration())
        let table = try environment.table("markets")
        let key = Array("m1".utf8)
        func put(_ version: UInt64, _ json: String) throws -> Bool {
            try environment.write { txn in
                try EdgeRecord.putUnlessNewer(
                    txn, table, key, version: version, publishedAtMicros: Int64(version),
                    wire: [1, 2, 3][...], json: Array(json.utf8))
            }
        }
        func stored() throws -> (version: UInt64, json: String)? {
            try environment.read { txn in
                try txn.withValue(table, key) { record in
                    EdgeRecord.header(record).map { header in
                        (header.version, String(
                            decoding: EdgeRecord.json(record, header), as: UTF8.self))
                    }
                } ?? nil
            }
        }

        #expect(try put(5, "five") == false)  // there was none
        #expect(try stored()?.version == 5)
        #expect(try put(7, "seven, longer") == true)
        #expect(try stored()?.json == "seven, longer")
        #expect(try put(6, "six") == true)  // older than the one there: left alone
        #expect(try stored()?.version == 7)
        #expect(try stored()?.json == "seven, longer")
        #expect(try put(8, "8") == true)
        #expect(try stored()?.version == 8)
        #expect(try stored()?.json == "8")
    }
}
