import JSON
import XCTest

final class JSONObjectReaderTests: XCTestCase {
    private let configuration = #"""
        {
          "edge": {
            "id": "edge-1",
            "workers": 4,
            "listeners": [
              {"address": "0.0.0.0", "port": 8443, "tls": {"cert": "edge.pem"}},
              {"address": "::", "port": 70000}
            ],
            "lisen": true
          }
        }
        """#

    func testReadsNestedConfiguration() throws {
        var root = try JSONObjectReader(JSONParser.parse(configuration), path: "")
        var edge = try root.object("edge")
        XCTAssertEqual(try edge.string("id"), "edge-1")
        XCTAssertEqual(try edge.int("workers", range: 1...64), 4)

        var listeners = try edge.objectArray("listeners")
        XCTAssertEqual(listeners.count, 2)
        XCTAssertEqual(try listeners[0].string("address"), "0.0.0.0")
        XCTAssertEqual(try listeners[0].int("port"), 8443)
        var tls = try listeners[0].object("tls")
        XCTAssertEqual(tls.path, "edge.listeners[0].tls")
        XCTAssertEqual(try tls.string("cert"), "edge.pem")
        XCTAssertNoThrow(try tls.finish())
        XCTAssertNoThrow(try listeners[0].finish())
        XCTAssertNoThrow(try root.finish())
    }

    func testUnknownKeyIsNamedWithItsObjectPath() throws {
        var root = try JSONObjectReader(JSONParser.parse(configuration), path: "")
        var edge = try root.object("edge")
        _ = try edge.string("id")
        _ = try edge.int("workers")
        _ = try edge.array("listeners")

        let error = assertFieldError { () throws(JSONFieldError) in try edge.finish() }
        XCTAssertEqual(error?.path, "edge")
        XCTAssertEqual(error?.description, #"edge: unknown key "lisen""#)
    }

    func testFirstUnreadKeyInDocumentOrderIsReported() throws {
        let reader = try JSONObjectReader(JSONParser.parse(#"{"b":1,"a":2}"#), path: "config")
        let error = assertFieldError { () throws(JSONFieldError) in try reader.finish() }
        XCTAssertEqual(error?.message, #"unknown key "b""#)
    }

    func testRangeViolationNamesTheFullPath() throws {
        var root = try JSONObjectReader(JSONParser.parse(configuration), path: "")
        var edge = try root.object("edge")
        var listeners = try edge.objectArray("listeners")

        let error = assertFieldError { () throws(JSONFieldError) in
            _ = try listeners[1].int("port", range: 1...65535)
        }
        XCTAssertEqual(
            error?.description, "edge.listeners[1].port: must be from 1 to 65535, found 70000")
    }

    func testMissingRequiredKeyIsNamed() throws {
        let body = try JSONParser.parse(#"{"port":1}"#)
        var reader = try JSONObjectReader(body, path: "edge.listeners[1]")
        let error = assertFieldError { () throws(JSONFieldError) in
            _ = try reader.string("address")
        }
        XCTAssertEqual(error?.description, "edge.listeners[1].address: required key is missing")
    }

    func testWrongTypesAreNamed() throws {
        let body = #"{"s":1,"i":"5","b":"yes","o":[],"a":{},"n":null,"x":true}"#
        var reader = try JSONObjectReader(JSONParser.parse(body), path: "c")
        let messages = [
            assertFieldError { () throws(JSONFieldError) in _ = try reader.string("s") },
            assertFieldError { () throws(JSONFieldError) in _ = try reader.int("i") },
            assertFieldError { () throws(JSONFieldError) in _ = try reader.bool("b") },
            assertFieldError { () throws(JSONFieldError) in _ = try reader.object("o") },
            assertFieldError { () throws(JSONFieldError) in _ = try reader.array("a") },
            assertFieldError { () throws(JSONFieldError) in _ = try reader.string("n") },
            assertFieldError { () throws(JSONFieldError) in _ = try reader.numberText("x") },
        ].map { $0?.description }
        XCTAssertEqual(messages, [
            "c.s: expected a string, found a number",
            "c.i: expected an integer, found a string",
            "c.b: expected a boolean, found a string",
            "c.o: expected an object, found an array",
            "c.a: expected an array, found an object",
            "c.n: expected a string, found null",
            "c.x: expected a number, found a boolean",
        ])
    }

    func testIntegersMustBeWholeAndFit() throws {
        var reader = try JSONObjectReader(
            JSONParser.parse(#"{"f":1.5,"e":1e3,"z":1.0,"big":99999999999999999999,"neg":-3}"#),
            path: "")
        let fraction = assertFieldError { () throws(JSONFieldError) in _ = try reader.int("f") }
        XCTAssertEqual(fraction?.description, "f: expected an integer, found 1.5")
        let exponent = assertFieldError { () throws(JSONFieldError) in _ = try reader.int("e") }
        XCTAssertEqual(exponent?.message, "expected an integer, found 1e3")
        XCTAssertNotNil(assertFieldError { () throws(JSONFieldError) in _ = try reader.int("z") })
        let big = assertFieldError { () throws(JSONFieldError) in _ = try reader.int("big") }
        XCTAssertEqual(big?.message, "integer 99999999999999999999 does not fit in 64 bits")
        let bigInRange = assertFieldError { () throws(JSONFieldError) in
            _ = try reader.int("big", range: 0...10)
        }
        XCTAssertEqual(bigInRange?.message, "must be from 0 to 10, found 99999999999999999999")
        XCTAssertEqual(try reader.int("neg", range: -5...5), -3)
    }

    func testNumberTextAcceptsNumbersAndNumericStrings() throws {
        var reader = try JSONObjectReader(
            JSONParser.parse(#"{"bare":2.50,"quoted":"2.375","word":"two","padded":" 2.5"}"#),
            path: "price")
        XCTAssertEqual(try reader.numberText("bare"), "2.50")
        XCTAssertEqual(try reader.numberText("quoted"), "2.375")
        let word = assertFieldError { () throws(JSONFieldError) in
            _ = try reader.numberText("word")
        }
        XCTAssertEqual(word?.description, #"price.word: expected a number, found "two""#)
        XCTAssertNotNil(assertFieldError { () throws(JSONFieldError) in
            _ = try reader.numberText("padded")
        })
        XCTAssertEqual(try reader.numberText("absent", default: "1.0"), "1.0")
        XCTAssertNil(try reader.optionalNumberText("absent"))
    }

    func testDefaultsAndOptionalsTreatNullAsMissing() throws {
        var reader = try JSONObjectReader(
            JSONParser.parse(#"{"name":null,"count":null,"on":null,"list":null,"sub":null}"#),
            path: "")
        XCTAssertEqual(try reader.string("name", default: "d"), "d")
        XCTAssertEqual(try reader.int("count", default: 9), 9)
        XCTAssertEqual(try reader.bool("on", default: true), true)
        XCTAssertNil(try reader.optionalArray("list"))
        XCTAssertNil(try reader.optionalObject("sub"))
        XCTAssertNil(try reader.optionalString("missing"))
        XCTAssertNil(try reader.optionalInt("missing"))
        XCTAssertNil(try reader.optionalBool("missing"))
        XCTAssertNil(try reader.optionalObjectArray("missing"))
        XCTAssertNoThrow(try reader.finish())
    }

    func testDefaultsDoNotHideWrongTypes() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"name":5,"port":0}"#), path: "")
        XCTAssertNotNil(assertFieldError { () throws(JSONFieldError) in
            _ = try reader.string("name", default: "d")
        })
        let port = assertFieldError { () throws(JSONFieldError) in
            _ = try reader.int("port", default: 80, range: 1...65535)
        }
        XCTAssertEqual(port?.description, "port: must be from 1 to 65535, found 0")
    }

    func testPresentValuesOverrideDefaults() throws {
        var reader = try JSONObjectReader(
            JSONParser.parse(#"{"name":"n","count":3,"on":false,"tags":["a"]}"#), path: "")
        XCTAssertEqual(try reader.string("name", default: "d"), "n")
        XCTAssertEqual(try reader.int("count", default: 9), 3)
        XCTAssertEqual(try reader.optionalBool("on"), false)
        XCTAssertEqual(try reader.optionalArray("tags"), ["a"])
        XCTAssertNoThrow(try reader.finish())
    }

    func testValueReturnsAnyKindIncludingNull() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"v":null,"w":[1]}"#), path: "p")
        XCTAssertEqual(try reader.value("v"), .null)
        XCTAssertEqual(reader.optionalValue("w"), [1])
        XCTAssertNil(reader.optionalValue("absent"))
        let error = assertFieldError { () throws(JSONFieldError) in
            _ = try reader.value("absent")
        }
        XCTAssertEqual(error?.path, "p.absent")
        XCTAssertNoThrow(try reader.finish())
    }

    func testObjectArrayNamesTheBadElement() throws {
        var reader = try JSONObjectReader(JSONParser.parse(#"{"items":[{},3]}"#), path: "x")
        let error = assertFieldError { () throws(JSONFieldError) in
            _ = try reader.objectArray("items")
        }
        XCTAssertEqual(error?.description, "x.items[1]: expected an object, found a number")
    }

    func testAnElementReaderNamesItsIndexInErrors() throws {
        var reader = try JSONObjectReader(
            JSONParser.parse(#"{"market":"m1","stray":1}"#), elementOf: "prices", at: 7)
        XCTAssertEqual(reader.path, "prices[7]")
        XCTAssertEqual(try reader.string("market"), "m1")
        let error = assertFieldError { () throws(JSONFieldError) in try reader.finish() }
        XCTAssertEqual(error?.description, "prices[7]: unknown key \"stray\"")
    }

    func testUnreadKeysAreFoundPastTheSixtyFourthMember() throws {
        for unread in [0, 63, 64, 99] {
            let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
            var reader = try JSONObjectReader(JSONParser.parse("{\(members)}"), path: "big")
            for key in 0..<100 where key != unread {
                XCTAssertEqual(try reader.int("k\(key)"), Int64(key))
            }
            let error = assertFieldError { () throws(JSONFieldError) in try reader.finish() }
            XCTAssertEqual(error?.description, "big: unknown key \"k\(unread)\"")
            _ = try reader.int("k\(unread)")
            XCTAssertNoThrow(try reader.finish())
        }
    }

    func testReaderForNonObjectFails() {
        let error = assertFieldError { () throws(JSONFieldError) in
            _ = try JSONObjectReader(.array([]), path: "edge.listeners[3]")
        }
        XCTAssertEqual(error?.description, "edge.listeners[3]: expected an object, found an array")
    }

    func testPathsAtTheRootHaveNoLeadingDot() throws {
        let reader = try JSONObjectReader(JSONParser.parse(#"{"typo":1}"#), path: "")
        XCTAssertEqual(reader.path(of: "port"), "port")
        XCTAssertEqual(reader.path(of: "listeners", index: 2), "listeners[2]")
        XCTAssertTrue(reader.contains("typo"))
        let error = assertFieldError { () throws(JSONFieldError) in try reader.finish() }
        XCTAssertEqual(error?.description, #"unknown key "typo""#)
    }

    private func assertFieldError(
        file: StaticString = #filePath, line: UInt = #line,
        _ body: () throws(JSONFieldError) -> Void
    ) -> JSONFieldError? {
        do {
            try body()
            XCTFail("no error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }
}
