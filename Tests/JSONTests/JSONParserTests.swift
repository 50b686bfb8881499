import JSON
import XCTest

final class JSONParserTests: XCTestCase {
    // MARK: Valid documents

    func testCompactDocumentsRoundTripExactly() throws {
        let documents = [
            #"{"market":"m1","price":2.50,"tags":["a","b"],"live":true,"void":null}"#,
            "[]", "{}", "[[],{},[[]]]", "0", "-0", "-0.0e+10", "1E5", "1e-7",
            "123456789012345678901234567890",
            #""x""#, #""""#, "true", "false", "null",
            #"{"nested":{"deeper":[1,{"a":[]}]},"after":-12.5}"#,
            #""é€😀""#,
        ]
        for document in documents {
            let value = try JSONParser.parse(document)
            XCTAssertEqual(value.jsonText, document)
        }
    }

    func testWhitespaceAroundTokensIsSkipped() throws {
        let value = try JSONParser.parse(" \t\r\n{ \"a\" :\n[ 1 ,\t2 ] , \"b\" : { } } \n")
        XCTAssertEqual(value.jsonText, #"{"a":[1,2],"b":{}}"#)
    }

    func testMembersKeepDocumentOrder() throws {
        let value = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
        XCTAssertEqual(value.objectValue?.keys, ["z", "a", "m"])
    }

    func testNumberLiteralTextIsPreserved() throws {
        let value = try JSONParser.parse(#"[2.50, 1E+02, -0.000, 100]"#)
        let literals = value.arrayValue?.compactMap(\.numberText)
        XCTAssertEqual(literals, ["2.50", "1E+02", "-0.000", "100"])
    }

    func testEscapesAreDecoded() throws {
        let value = try JSONParser.parse(#""a\"b\\c\/d\b\f\n\r\t\u0001\u00e9\u20AC""#)
        XCTAssertEqual(value.stringValue, "a\"b\\c/d\u{8}\u{C}\n\r\t\u{1}é€")
    }

    func testSurrogatePairBecomesOneScalar() throws {
        let value = try JSONParser.parse(#""x\uD83D\uDE00y""#)
        XCTAssertEqual(value.stringValue, "x😀y")
    }

    func testEscapedNullCharacterIsAllowed() throws {
        XCTAssertEqual(try JSONParser.parse(#""\u0000""#).stringValue, "\u{0}")
    }

    func testRawUTF8IsAccepted() throws {
        let value = try JSONParser.parse(Array("\"Zürich 東京 😀\"".utf8))
        XCTAssertEqual(value.stringValue, "Zürich 東京 😀")
    }

    func testAllOverloadsAgree() throws {
        let text = #"{"a":[1,"b",null]}"#
        let bytes = Array(text.utf8)
        let fromBuffer = try bytes.withUnsafeBytes { buffer in try JSONParser.parse(buffer) }
        XCTAssertEqual(try JSONParser.parse(text), try JSONParser.parse(bytes))
        XCTAssertEqual(fromBuffer, try JSONParser.parse(bytes))
    }

    func testSameKeyInDifferentObjectsIsAllowed() throws {
        XCTAssertNoThrow(try JSONParser.parse(#"[{"a":1},{"a":2},{"a":{"a":3}}]"#))
    }

    func testLargeDocumentOfPrices() throws {
        let count = 10_000
        var text = "["
        for index in 0..<count {
            if index > 0 {
                text += ","
            }
            text += #"{"market":"m\#(index)","selection":"s\#(index % 3)","#
            text += #""price":"2.\#(index % 1000)"}"#
        }
        text += "]"

        let elements = try XCTUnwrap(JSONParser.parse(Array(text.utf8)).arrayValue)

        XCTAssertEqual(elements.count, count)
        XCTAssertEqual(elements[0].objectValue?["market"], "m0")
        XCTAssertEqual(elements[9_999].objectValue?["selection"], "s0")
        XCTAssertEqual(elements[1_234].objectValue?["price"], "2.234")
        XCTAssertEqual(JSONValue.array(elements).jsonText, text)
    }

    // MARK: Malformed documents

    func testEmptyInputEndsUnexpectedly() {
        assertFailure("", .unexpectedEndOfInput, at: 0)
        assertFailure(" \n ", .unexpectedEndOfInput, at: 3)
        assertFailure([], .unexpectedEndOfInput, at: 0)
    }

    func testTruncatedDocumentsEndUnexpectedly() {
        assertFailure("[", .unexpectedEndOfInput, at: 1)
        assertFailure("[1", .unexpectedEndOfInput, at: 2)
        assertFailure("{", .unexpectedEndOfInput, at: 1)
        assertFailure(#"{"a""#, .unexpectedEndOfInput, at: 4)
        assertFailure(#"{"a":"#, .unexpectedEndOfInput, at: 5)
        assertFailure(#"{"a":1"#, .unexpectedEndOfInput, at: 6)
        assertFailure("tru", .unexpectedEndOfInput, at: 3)
        assertFailure(#""abc"#, .unexpectedEndOfInput, at: 4)
        assertFailure(#""ab\"#, .unexpectedEndOfInput, at: 4)
        assertFailure(#""\u12"#, .unexpectedEndOfInput, at: 5)
    }

    func testTrailingCommasAreRejected() {
        let array = assertFailure("[1,]", .unexpectedCharacter, at: 3)
        XCTAssertEqual(array?.description, "expected a value, found ']' at byte 3")
        let object = assertFailure(#"{"a":1,}"#, .unexpectedCharacter, at: 7)
        XCTAssertEqual(object?.message, "expected a string key, found '}'")
    }

    func testMissingSeparatorsAreNamed() {
        let member = assertFailure(#"{"a":1 "b":2}"#, .unexpectedCharacter, at: 7)
        XCTAssertEqual(member?.description, #"expected ',' or '}', found '"' at byte 7"#)
        let element = assertFailure("[1 2]", .unexpectedCharacter, at: 3)
        XCTAssertEqual(element?.message, "expected ',' or ']', found '2'")
        let colon = assertFailure(#"{"a" 1}"#, .unexpectedCharacter, at: 5)
        XCTAssertEqual(colon?.message, "expected ':', found '1'")
        assertFailure("[,1]", .unexpectedCharacter, at: 1)
        assertFailure(#"{1:2}"#, .unexpectedCharacter, at: 1)
        assertFailure(#"{'a':2}"#, .unexpectedCharacter, at: 1)
        assertFailure(#"[1}"#, .unexpectedCharacter, at: 2)
    }

    func testCommentsAreRejected() {
        assertFailure("// note\n1", .unexpectedCharacter, at: 0)
        assertFailure("[1] /* note */", .trailingData, at: 4)
    }

    func testDataAfterTheValueIsRejected() {
        let error = assertFailure("1 2", .trailingData, at: 2)
        XCTAssertEqual(error?.description, "unexpected '2' after the value at byte 2")
        assertFailure("{}{}", .trailingData, at: 2)
        assertFailure("0x10", .trailingData, at: 1)
        assertFailure("nulll", .trailingData, at: 4)
        assertFailure([0x31, 0x00], .trailingData, at: 1)
    }

    func testOnlyJSONWhitespaceIsAllowed() {
        assertFailure("\u{0C}1", .unexpectedCharacter, at: 0)
        assertFailure("\u{A0}1", .unexpectedCharacter, at: 0)
        assertFailure([0xEF, 0xBB, 0xBF, 0x31], .unexpectedCharacter, at: 0)
        let error = assertFailure("[1,\u{0B}2]", .unexpectedCharacter, at: 3)
        XCTAssertEqual(error?.message, "expected a value, found byte 0x0B")
    }

    func testNumbersOutsideTheGrammarAreRejected() {
        let leadingZero = assertFailure("01", .invalidNumber, at: 1)
        XCTAssertEqual(leadingZero?.message, "leading zeros are not allowed")
        assertFailure("-01", .invalidNumber, at: 2)
        assertFailure("[00]", .invalidNumber, at: 2)
        assertFailure("-", .unexpectedEndOfInput, at: 1)
        assertFailure("-a", .invalidNumber, at: 1)
        assertFailure("1.", .unexpectedEndOfInput, at: 2)
        assertFailure("1.e5", .invalidNumber, at: 2)
        assertFailure("[1.]", .invalidNumber, at: 3)
        assertFailure("1e", .unexpectedEndOfInput, at: 2)
        assertFailure("1e+", .unexpectedEndOfInput, at: 3)
        assertFailure("[1e+]", .invalidNumber, at: 4)
        assertFailure("+1", .unexpectedCharacter, at: 0)
        assertFailure(".5", .unexpectedCharacter, at: 0)
        assertFailure("NaN", .unexpectedCharacter, at: 0)
        assertFailure("Infinity", .unexpectedCharacter, at: 0)
        assertFailure("-Infinity", .invalidNumber, at: 1)
    }

    func testMisspeltLiteralsAreRejected() {
        let error = assertFailure("[trUe]", .invalidLiteral, at: 1)
        XCTAssertEqual(error?.message, "invalid literal, expected 'true'")
        assertFailure("fals", .unexpectedEndOfInput, at: 4)
        assertFailure("nil", .invalidLiteral, at: 0)
        assertFailure("True", .unexpectedCharacter, at: 0)
    }

    func testControlCharactersInStringsAreRejected() {
        let tab = assertFailure("\"a\tb\"", .controlCharacterInString, at: 2)
        XCTAssertEqual(tab?.message, "control character 0x09 in string must be escaped")
        assertFailure("\"a\nb\"", .controlCharacterInString, at: 2)
        assertFailure([0x22, 0x5C, 0x6E, 0x00, 0x22], .controlCharacterInString, at: 3)
    }

    func testBadEscapesAreRejected() {
        let unknown = assertFailure(#""ab\x""#, .invalidEscape, at: 3)
        XCTAssertEqual(unknown?.message, "invalid escape character 'x'")
        assertFailure(#""\U0041""#, .invalidEscape, at: 1)
        assertFailure(#""\'""#, .invalidEscape, at: 1)
        let hex = assertFailure(#""\u12G4""#, .invalidEscape, at: 5)
        XCTAssertEqual(hex?.message, "expected a hexadecimal digit, found 'G'")
    }

    func testLoneSurrogatesAreRejected() {
        let high = assertFailure(#""\uD800""#, .invalidEscape, at: 1)
        XCTAssertEqual(high?.message, "unpaired high surrogate")
        let low = assertFailure(#""a\uDC00""#, .invalidEscape, at: 2)
        XCTAssertEqual(low?.message, "unpaired low surrogate")
        assertFailure(#""\uD800\u0041""#, .invalidEscape, at: 1)
        assertFailure(#""\uD800\n""#, .invalidEscape, at: 1)
        assertFailure(#""\uDBFF\uDBFF""#, .invalidEscape, at: 1)
    }

    func testInvalidUTF8IsRejected() {
        let quote: UInt8 = 0x22
        assertFailure([quote, 0xC3, 0x28, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0x61, 0x80, quote], .invalidUTF8, at: 2)
        assertFailure([quote, 0xC0, 0x80, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0xE0, 0x80, 0x80, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0xED, 0xA0, 0x80, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0xF4, 0x90, 0x80, 0x80, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0xF5, 0x80, 0x80, 0x80, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0xFF, quote], .invalidUTF8, at: 1)
        assertFailure([quote, 0x5C, 0x6E, 0xE2, 0x82, quote], .invalidUTF8, at: 3)
        assertFailure([quote, 0xE2, 0x82], .unexpectedEndOfInput, at: 3)
    }

    func testDuplicateKeysAreRejected() {
        let error = assertFailure(#"{"a":1,"a":2}"#, .duplicateKey, at: 7)
        XCTAssertEqual(error?.message, #"duplicate key "a""#)
        assertFailure(#"{"a":1,"\u0061":2}"#, .duplicateKey, at: 7)
        assertFailure(#"{"x":{"a":1,"b":2,"a":3}}"#, .duplicateKey, at: 18)
    }

    func testDuplicateKeysAreFoundInLargeObjects() throws {
        let members = (0..<50).map { #""k\#($0)":\#($0)"# }
        let valid = "{" + members.joined(separator: ",") + "}"
        XCTAssertEqual(try JSONParser.parse(valid).objectValue?.count, 50)

        let duplicated = "{" + members.joined(separator: ",") + #","k17":0}"#
        assertFailure(duplicated, .duplicateKey, at: valid.utf8.count)
    }

    func testLongDuplicateKeyIsShortenedInTheMessage() throws {
        let key = String(repeating: "k", count: 500)
        let error = assertFailure(#"{"\#(key)":1,"\#(key)":2}"#, .duplicateKey, at: 506)
        XCTAssertLessThan(error?.message.count ?? 1_000, 100)
    }

    // MARK: Depth

    func testDepthLimitAllowsExactlyMaxDepth() throws {
        let depth = JSONParser.defaultMaxDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        XCTAssertNoThrow(try JSONParser.parse(deepest))

        let tooDeep = "[" + deepest + "]"
        let error = assertFailure(tooDeep, .depthLimitExceeded, at: depth)
        XCTAssertEqual(error?.message, "arrays and objects nested deeper than 64")
    }

    func testDepthLimitCountsObjectsAndArraysTogether() throws {
        XCTAssertNoThrow(try JSONParser.parse(#"{"a":[{"b":[]}]}"#, maxDepth: 4))
        let error = try parseFailure(#"{"a":[{"b":[]}]}"#, maxDepth: 3)
        XCTAssertEqual(error?.kind, .depthLimitExceeded)
        XCTAssertEqual(error?.offset, 11)
    }

    func testZeroDepthAllowsOnlyScalars() throws {
        XCTAssertEqual(try JSONParser.parse("7", maxDepth: 0), .number("7"))
        XCTAssertEqual(try parseFailure("[]", maxDepth: 0)?.kind, .depthLimitExceeded)
        XCTAssertEqual(try parseFailure("{}", maxDepth: -5)?.kind, .depthLimitExceeded)
    }

    func testHostileNestingFailsWithoutCrashing() {
        let attack = Array(repeating: ASCII.openBracket, count: 1_000_000)
        assertFailure(attack, .depthLimitExceeded, at: JSONParser.defaultMaxDepth)
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        assertFailure(objects, .depthLimitExceeded, at: 5 * JSONParser.defaultMaxDepth)
    }

    func testDeepNestingWithinARaisedLimitParses() throws {
        let depth = 2_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let value = try JSONParser.parse(text, maxDepth: depth)
        XCTAssertEqual(value.serialized().count, 2 * depth)
    }

    // MARK: Helpers

    private enum ASCII {
        static let openBracket: UInt8 = 0x5B
    }

    private func parseFailure(_ text: String, maxDepth: Int) throws -> JSONError? {
        do {
            let value = try JSONParser.parse(text, maxDepth: maxDepth)
            XCTFail("parsed \(text) as \(value)")
            return nil
        } catch {
            return error
        }
    }

    @discardableResult
    private func assertFailure(
        _ text: String, _ kind: JSONError.Kind, at offset: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) -> JSONError? {
        assertFailure(Array(text.utf8), kind, at: offset, file: file, line: line)
    }

    @discardableResult
    private func assertFailure(
        _ bytes: [UInt8], _ kind: JSONError.Kind, at offset: Int,
        file: StaticString = #filePath, line: UInt = #line
    ) -> JSONError? {
        do {
            let value = try JSONParser.parse(bytes)
            XCTFail("parsed as \(value)", file: file, line: line)
            return nil
        } catch {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            XCTAssertEqual(error.offset, offset, "\(error)", file: file, line: line)
            return error
        }
    }
}
