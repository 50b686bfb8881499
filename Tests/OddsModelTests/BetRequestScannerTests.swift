import XCTest

@testable import OddsModel

/// The plain-shape scanner against the general reader: whatever the scanner returns, the
/// general reader makes of the same body; whatever the general reader refuses, the scanner
/// leaves to it.
final class BetRequestScannerTests: XCTestCase {
    func testPlainBodiesReadAsTheGeneralReaderReadsThem() throws {
        var random = SplitMix(seed: 3)
        var scanned = 0
        for _ in 0..<3_000 {
            let body = Array(plainBody(&random).utf8)
            let general = try BetRequest(generalJSON: body)
            let plain = BetRequestScanner.scan(body)
            XCTAssertEqual(plain, general, String(decoding: body, as: UTF8.self))
            if plain != nil { scanned += 1 }
        }
        XCTAssertEqual(scanned, 3_000, "every plain body is the scanner's to read")
    }

    func testMutatedBodiesAreReadAlikeOrLeftToTheGeneralReader() {
        var random = SplitMix(seed: 5)
        let pieces = [
            "\"", "\\", "\\n", ",", ":", "{", "}", " ", "\n", "\t", "0", "-", "1e3", ".", "null",
            "true", "\"x\"", "é", "\u{01}", "\"policy\":\"better\"", "\"stake\":5", "00", "+",
        ]
        var agreed = 0
        var refusedByBoth = 0
        for _ in 0..<20_000 {
            var body = Array(plainBody(&random).utf8)
            for _ in 0..<(1 + random.next() % 3) {
                let at = Int(random.next() % UInt64(body.count + 1))
                switch random.next() % 3 {
                case 0 where at < body.count:
                    body.remove(at: at)
                case 1 where at < body.count:
                    body[at] = Array(pieces[Int(random.next() % UInt64(pieces.count))].utf8)[0]
                default:
                    body.insert(
                        contentsOf: Array(pieces[Int(random.next() % UInt64(pieces.count))].utf8),
                        at: at)
                }
            }
            let general = try? BetRequest(generalJSON: body)
            let plain = BetRequestScanner.scan(body)
            let text = String(decoding: body, as: UTF8.self)
            if let plain {
                XCTAssertEqual(plain, general, "the scanner read what the reader reads: \(text)")
                agreed += 1
            } else if general == nil {
                refusedByBoth += 1
            }
        }
        // Both outcomes are common, so both sides of the comparison were exercised.
        XCTAssertGreaterThan(agreed, 1_000)
        XCTAssertGreaterThan(refusedByBoth, 1_000)
    }

    func testOddShapesAreLeftToTheGeneralReader() {
        for body in [
            #"{"market":"m1","selection":"home","price":"2.10","marketVersion":0,"stake":1,"#
                + #""market":"m2"}"#,
            #"{"market":"m\u0031","selection":"home","price":"2.10","marketVersion":0,"stake":1}"#,
            #"{"market":"m1","selection":"home","price":2.1e0,"marketVersion":0,"stake":1}"#,
            #"{"market":"m1","selection":"home","price":"02.10","marketVersion":0,"stake":1}"#,
            #"{"market":"m1","selection":"home","price":"2.10","marketVersion":0,"stake":1.0}"#,
            #"{"market":"m1","selection":"home","price":"2.10","marketVersion":0,"stake":1,"#
                + #""policy":null}"#,
            #"{"market":"m1","selection":"home","price":"2.10","marketVersion":0,"stake":1,"x":1}"#,
            #"{"market":"m1","selection":"home","price":"2.10","marketVersion":0} "#,
            #"{"market":"m1","selection":"home","price":"2.10","marketVersion":0,"stake":1}x"#,
        ] {
            XCTAssertNil(BetRequestScanner.scan(Array(body.utf8)), body)
        }
    }

    /// A bet body as a client might write it: the keys in any order, spaces or none, the price
    /// quoted or bare, the policy there or not.
    private func plainBody(_ random: inout SplitMix) -> String {
        let prices = ["2.10", "1.01", "1000", "3.375", "1.5", "12.00", "1.0001", "999.99"]
        var members = [
            #""market":"m\#(random.next() % 1_000)""#,
            #""selection":"\#(["home", "draw", "away", "sel-9_x"][Int(random.next() % 4)])""#,
            random.next() % 2 == 0
                ? #""price":"\#(prices[Int(random.next() % 8)])""#
                : #""price":\#(prices[Int(random.next() % 8)])"#,
            #""marketVersion":\#(random.next() % 3 == 0 ? 0 : random.next() >> 2)"#,
            #""stake":\#(1 + random.next() % AccountLimits.stakeCeilingMinor.magnitude)"#,
        ]
        if random.next() % 2 == 0 {
            members.append(#""policy":"\#(random.next() % 2 == 0 ? "exact" : "better")""#)
        }
        for index in members.indices.reversed() {
            members.swapAt(index, Int(random.next() % UInt64(index + 1)))
        }
        let space = [" ", "", "\n  ", "\t"][Int(random.next() % 4)]
        return "{" + space + members.joined(separator: "," + space) + space + "}"
    }
}
