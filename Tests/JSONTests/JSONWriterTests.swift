import JSON
import XCTest

final class JSONWriterTests: XCTestCase {
    func testCommasAreInsertedBetweenSiblingsOnly() {
        var writer = JSONWriter(capacity: 16)
        writer.beginObject()
        writer.key("a")
        writer.beginArray()
        writer.int(1)
        writer.beginObject()
        writer.endObject()
        writer.beginArray()
        writer.endArray()
        writer.null()
        writer.endArray()
        writer.key("b")
        writer.beginObject()
        writer.key("c")
        writer.bool(true)
        writer.key("d")
        writer.bool(false)
        writer.endObject()
        writer.key("e")
        writer.string("x")
        writer.endObject()

        XCTAssertEqual(text(writer), #"{"a":[1,{},[],null],"b":{"c":true,"d":false},"e":"x"}"#)
    }

    func testStringsAreEscaped() {
        var writer = JSONWriter()
        let original = "a\"b\\c/\n\r\t\u{8}\u{C}\u{0}\u{1F}\u{7F}é😀"
        writer.string(original)
        XCTAssertEqual(text(writer), #""a\"b\\c/\n\r\t\b\f\u0000\u001f\#u{7F}é😀""#)
        XCTAssertEqual(try JSONParser.parse(writer.bytes).stringValue, original)
    }

    func testKeysAreEscaped() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("line\nbreak \"quoted\"")
        writer.int(1)
        writer.endObject()
        XCTAssertEqual(text(writer), #"{"line\nbreak \"quoted\"":1}"#)
    }

    func testIntegersAreWrittenExactly() {
        var writer = JSONWriter()
        writer.beginArray()
        for value: Int64 in [0, 7, -1, 10, 1_000_000, .max, .min] {
            writer.int(value)
        }
        writer.uint(0)
        writer.uint(.max)
        writer.endArray()
        XCTAssertEqual(
            text(writer),
            "[0,7,-1,10,1000000,9223372036854775807,-9223372036854775808,0,18446744073709551615]")
    }

    func testRawNumbersKeepTheirDigits() {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("price")
        writer.rawNumber("2.50")
        writer.key("big")
        writer.rawNumber("1E+400")
        writer.endObject()
        XCTAssertEqual(text(writer), #"{"price":2.50,"big":1E+400}"#)
    }

    func testRawValuesAreSplicedWithCommas() {
        let market = Array(#"{"id":"m1"}"#.utf8)
        var writer = JSONWriter()
        writer.beginArray()
        writer.raw(market)
        writer.raw(market)
        writer.endArray()
        XCTAssertEqual(text(writer), #"[{"id":"m1"},{"id":"m1"}]"#)
    }

    func testScalarDocumentHasNoPunctuation() {
        var writer = JSONWriter()
        writer.string("alone")
        XCTAssertEqual(text(writer), #""alone""#)
    }

    func testResetStartsAFreshDocument() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.int(1)
        writer.reset()
        writer.int(2)
        XCTAssertEqual(text(writer), "2")
    }

    func testValueWritesNestedValues() {
        let value: JSONValue = ["list": [1, ["k": .null], []], "s": "v"]
        var writer = JSONWriter()
        writer.beginArray()
        writer.value(value)
        writer.value(false)
        writer.endArray()
        XCTAssertEqual(text(writer), #"[{"list":[1,{"k":null},[]],"s":"v"},false]"#)
    }

    private func text(_ writer: JSONWriter) -> String {
        String(decoding: writer.bytes, as: UTF8.self)
    }
}
