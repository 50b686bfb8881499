import JSON
import XCTest

final class JSONObjectTests: XCTestCase {
    func testSubscriptFindsMembers() {
        let object: JSONObject = ["a": 1, "b": "two"]
        XCTAssertEqual(object["a"], 1)
        XCTAssertEqual(object["b"], "two")
        XCTAssertNil(object["c"])
        XCTAssertEqual(object.count, 2)
        XCTAssertEqual(object.keys, ["a", "b"])
        XCTAssertEqual(object.position(of: "b"), 1)
    }

    func testSettingReplacesInPlaceAppendsOrRemoves() {
        var object: JSONObject = ["a": 1, "b": 2, "c": 3]
        object["b"] = "replaced"
        object["d"] = .null
        object["a"] = nil
        object["missing"] = nil
        XCTAssertEqual(object.keys, ["b", "c", "d"])
        XCTAssertEqual(object["b"], "replaced")
        XCTAssertEqual(object["d"], .null)
    }

    func testRepeatedKeyInInitializerReplacesTheEarlierValue() {
        let object = JSONObject([(key: "a", value: 1), (key: "b", value: 2), (key: "a", value: 3)])
        XCTAssertEqual(object.keys, ["a", "b"])
        XCTAssertEqual(object["a"], 3)
    }

    func testRepeatedKeysInLargeInitializerAreMerged() {
        let members = (0..<100).map { (key: "k\($0 % 40)", value: JSONValue.integer(Int64($0))) }
        let object = JSONObject(members)
        XCTAssertEqual(object.count, 40)
        XCTAssertEqual(object.keys.first, "k0")
        XCTAssertEqual(object["k5"], 85)
    }

    func testEqualityDependsOnOrder() {
        let forward: JSONObject = ["a": 1, "b": 2]
        let backward: JSONObject = ["b": 2, "a": 1]
        XCTAssertEqual(forward, ["a": 1, "b": 2])
        XCTAssertNotEqual(forward, backward)
        XCTAssertNotEqual(forward, ["a": 1])
        XCTAssertNotEqual(forward, ["a": 1, "b": 3])
        XCTAssertTrue(JSONObject().isEmpty)
    }
}
