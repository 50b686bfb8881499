import CLMDB
import Glibc
import Store
import XCTest

final class StoreErrorTests: XCTestCase {
    func testDescriptionNamesTheOperationTheKindAndLMDBsMessage() throws {
        try withEnvironment { environment, _ in
            let markets = try environment.table("markets")
            do {
                try environment.write { txn in try txn.put(markets, [], [1]) }
                XCTFail("an empty key was accepted")
            } catch let error as StoreError {
                XCTAssertEqual(error.code, .badValueSize)
                XCTAssertEqual(error.operation, "mdb_put")
                XCTAssertEqual(error.returnCode, MDB_BAD_VALSIZE)
                XCTAssertTrue(error.description.contains("mdb_put"), error.description)
                XCTAssertTrue(error.description.contains("badValueSize"), error.description)
                XCTAssertTrue(error.description.contains("MDB_BAD_VALSIZE"), error.description)
            }
        }
    }

    func testCodesCompareByKind() {
        XCTAssertEqual(StoreError.Code.other(5), .other(5))
        XCTAssertNotEqual(StoreError.Code.other(5), .other(6))
        XCTAssertNotEqual(StoreError.Code.mapFull, .diskFull)
        XCTAssertEqual(StoreError.Code.diskFull.description, "diskFull")
        XCTAssertEqual(StoreError.Code.other(-1).description, "other(-1)")
    }
}
