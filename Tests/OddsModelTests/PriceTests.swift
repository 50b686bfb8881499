import JSON
import OddsModel
import XCTest

final class PriceTests: XCTestCase {
    func testParsesExactDecimals() throws {
        XCTAssertEqual(try Price(parsing: "2.5").units, 25_000)
        XCTAssertEqual(try Price(parsing: "2.50").units, 25_000)
        XCTAssertEqual(try Price(parsing: "1.0001").units, 10_001)
        XCTAssertEqual(try Price(parsing: "1000").units, 10_000_000)
        XCTAssertEqual(try Price(parsing: "2.375"), try Price(parsing: "2.3750"))
    }

    func testRefusesWhatIsNotAPrice() {
        for text in ["1.00", "1", "0.5", "-2", "", ".5", "2.", "2.12345", "1e3", "2,5", "abc",
            "10000.01", "99999999999", " 2.5"]
        {
            XCTAssertThrowsError(try Price(parsing: text), text)
        }
    }

    func testNamesTheReason() {
        XCTAssertThrowsError(try Price(parsing: "2.33333")) { error in
            XCTAssertEqual((error as? PriceError)?.reason, .tooManyDecimals)
        }
        XCTAssertThrowsError(try Price(parsing: "1.00")) { error in
            XCTAssertEqual((error as? PriceError)?.reason, .outOfRange)
        }
    }

    func testDisplays() throws {
        let cases: [(String, String, String, String)] = [
            ("2.5", "2.50", "3/2", "+150"),
            ("2", "2.00", "1/1", "+100"),
            ("1.5", "1.50", "1/2", "-200"),
            ("1.25", "1.25", "1/4", "-400"),
            ("2.375", "2.375", "11/8", "+138"),
            ("11", "11.00", "10/1", "+1000"),
            ("1.9091", "1.9091", "9091/10000", "-110"),
        ]
        for (text, decimal, fractional, american) in cases {
            let price = try Price(parsing: text)
            XCTAssertEqual(price.decimalText, decimal, text)
            XCTAssertEqual(price.fractionalText, fractional, text)
            XCTAssertEqual(price.americanText, american, text)
        }
    }

    /// Decimal text reads back as the same price, with two places at least and no trailing
    /// zero beyond them.
    func testDecimalTextRoundTripsWithTheFewestPlaces() throws {
        for units in stride(from: Int64(10_001), through: 50_000_000, by: 9_973) {
            let price = try XCTUnwrap(Price(units: units))
            let text = price.decimalText
            XCTAssertEqual(try Price(parsing: text), price, text)
            let places = try XCTUnwrap(text.split(separator: ".").last)
            XCTAssertGreaterThanOrEqual(places.count, 2, text)
            XCTAssertTrue(places.count == 2 || places.last != "0", text)
        }
    }

    func testJSONMatchesTheTextForms() throws {
        for units in stride(from: Int64(10_001), through: 2_000_000, by: 997) {
            let price = try XCTUnwrap(Price(units: units))
            var writer = JSONWriter()
            price.writeJSON(to: &writer)
            let object = try XCTUnwrap(JSONParser.parse(writer.bytes).objectValue)
            XCTAssertEqual(object["decimal"]?.stringValue, price.decimalText)
            XCTAssertEqual(object["fractional"]?.stringValue, price.fractionalText)
            XCTAssertEqual(object["american"]?.stringValue, price.americanText)
        }
    }

    func testFractionalOddsAreExactAndReduced() throws {
        func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
        let low = Array(Int64(10_001)...40_000)
        let high = Array(stride(from: Int64(40_001), to: 100_000_000, by: 7_919))
        for units in low + high {
            let price = try XCTUnwrap(Price(units: units))
            let parts = price.fractionalText.split(separator: "/").compactMap { Int64($0) }
            XCTAssertEqual(parts.count, 2)
            XCTAssertEqual(parts[0] * Price.scale, (units - Price.scale) * parts[1], "\(units)")
            XCTAssertEqual(gcd(parts[0], parts[1]), 1, "\(units)")
        }
    }
}
