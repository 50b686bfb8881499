import JSON
import XCTest

final class JSONValueTests: XCTestCase {
    func testInt64ValueAcceptsIntegersThatFit() {
        XCTAssertEqual(JSONValue.number("0").int64Value, 0)
        XCTAssertEqual(JSONValue.number("-0").int64Value, 0)
        XCTAssertEqual(JSONValue.number("42").int64Value, 42)
        XCTAssertEqual(JSONValue.number("-17").int64Value, -17)
        XCTAssertEqual(JSONValue.number("9223372036854775807").int64Value, .max)
        XCTAssertEqual(JSONValue.number("-9223372036854775808").int64Value, .min)
    }

    func testInt64ValueRejectsEverythingElse() {
        XCTAssertNil(JSONValue.number("9223372036854775808").int64Value)
        XCTAssertNil(JSONValue.number("-9223372036854775809").int64Value)
        XCTAssertNil(JSONValue.number("99999999999999999999999").int64Value)
        XCTAssertNil(JSONValue.number("1.0").int64Value)
        XCTAssertNil(JSONValue.number("1e3").int64Value)
        XCTAssertNil(JSONValue.number("-").int64Value)
        XCTAssertNil(JSONValue.number("007").int64Value)
        XCTAssertNil(JSONValue.string("1").int64Value)
        XCTAssertNil(JSONValue.null.int64Value)
    }

    func testAccessorsReturnNilForOtherKinds() {
        let values: [JSONValue] = [.null, true, "s", .number("1"), [], [:]]
        XCTAssertEqual(values.compactMap(\.stringValue), ["s"])
        XCTAssertEqual(values.compactMap(\.boolValue), [true])
        XCTAssertEqual(values.compactMap(\.numberText), ["1"])
        XCTAssertEqual(values.compactMap(\.arrayValue), [[]])
        XCTAssertEqual(values.compactMap(\.objectValue), [JSONObject()])
        XCTAssertEqual(values.filter(\.isNull).count, 1)
    }

    func testNumberValidatingFollowsTheGrammar() {
        XCTAssertEqual(JSONValue.number(validating: "2.50"), .number("2.50"))
        XCTAssertEqual(JSONValue.number(validating: "-1E+9"), .number("-1E+9"))
        for invalid in ["", "-", "+1", "01", "1.", ".5", "1e", "NaN", " 1", "1 ", "0x1", "1_000"] {
            XCTAssertNil(JSONValue.number(validating: invalid), invalid)
        }
    }

    func testNumberEqualityIsTextual() {
        XCTAssertNotEqual(JSONValue.number("1.0"), JSONValue.number("1"))
        XCTAssertEqual(JSONValue.integer(-5), .number("-5"))
    }

    func testLiteralsBuildValues() {
        let value: JSONValue = ["id": "m1", "version": 3, "live": false, "tags": ["a", 1]]
        XCTAssertEqual(
            value,
            .object(JSONObject([
                (key: "id", value: .string("m1")),
                (key: "version", value: .number("3")),
                (key: "live", value: .bool(false)),
                (key: "tags", value: .array([.string("a"), .number("1")])),
            ])))
    }

    func testSerializationIsCompactAndOrdered() throws {
        let value: JSONValue = ["b": [1, .null, "x\n"], "a": ["n": .number("2.50")]]
        XCTAssertEqual(value.jsonText, #"{"b":[1,null,"x\n"],"a":{"n":2.50}}"#)
        XCTAssertEqual(try JSONParser.parse(value.serialized()), value)
    }
}
