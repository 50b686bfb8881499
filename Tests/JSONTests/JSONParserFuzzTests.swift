import JSON
import XCTest

/// Throws random and mutated input at the parser. Every run uses the same seeds, so a failure
/// repeats. Each input must either parse, and then survive a round trip through the writer, or
/// fail with an offset inside the input; nothing may trap.
final class JSONParserFuzzTests: XCTestCase {
    private static let iterations = 4_000

    /// Bytes that make up JSON, weighted so that random input often gets past the first token.
    private static let grammarBytes = Array(#"{}[]:,"\/ \#t\#n0123456789-+.eEtruefalsnbu"#.utf8)

    private static let seedDocuments = [
        #"{"market":"m123","selection":"s1","price":"2.375","live":true,"void":null}"#,
        #"[1,-2.5e+3,0,"a\"b\\c\u00e9\uD83D\uDE00",[],{},[{"k":[null,false]}]]"#,
        #"{"edge":{"listeners":[{"address":"::","port":8443,"tls":{"cert":"a.pem"}}]}}"#,
        "\"Zürich 東京 😀\"",
        "-0.0E-0",
    ]

    func testRandomBytesNeverCrash() {
        var random = SplitMix64(seed: 0x0DD5_0001)
        for _ in 0..<Self.iterations {
            let length = Int.random(in: 0..<48, using: &random)
            let bytes = (0..<length).map { _ in Self.randomByte(using: &random) }
            checkParse(bytes)
        }
    }

    func testMutatedDocumentsNeverCrash() {
        var random = SplitMix64(seed: 0x0DD5_0002)
        var parsed = 0
        for _ in 0..<Self.iterations {
            var bytes = Array(Self.seedDocuments.randomElement(using: &random)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                mutate(&bytes, using: &random)
            }
            if checkParse(bytes) {
                parsed += 1
            }
        }

        // Some mutations (a changed digit or letter) leave a valid document; if none did, the
        // round-trip check above would never have run.
        XCTAssertGreaterThan(parsed, 0)
    }

    func testSmallDepthLimitsNeverCrash() {
        var random = SplitMix64(seed: 0x0DD5_0003)
        for _ in 0..<Self.iterations / 4 {
            let length = Int.random(in: 0..<64, using: &random)
            let bytes = (0..<length).map { _ in Self.grammarBytes.randomElement(using: &random)! }
            checkParse(bytes, maxDepth: Int.random(in: -1...3, using: &random))
        }
    }

    /// Parses `bytes`; returns whether they parsed. A parsed value must serialize to a document
    /// that parses back to the same value; an error must point inside the input.
    @discardableResult
    private func checkParse(_ bytes: [UInt8], maxDepth: Int = JSONParser.defaultMaxDepth) -> Bool {
        do {
            let value = try JSONParser.parse(bytes, maxDepth: maxDepth)
            let reparsed = try? JSONParser.parse(value.serialized(), maxDepth: maxDepth)
            XCTAssertEqual(reparsed, value, "round trip of \(bytes)")
            return true
        } catch {
            XCTAssert((0...bytes.count).contains(error.offset), "\(error) for \(bytes)")
            XCTAssertFalse(error.message.isEmpty)
            return false
        }
    }

    private func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
        let position = Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<5, using: &random) {
        case 0 where position < bytes.count:
            bytes[position] = Self.randomByte(using: &random)
        case 1:
            bytes.insert(Self.randomByte(using: &random), at: position)
        case 2 where position < bytes.count:
            bytes.remove(at: position)
        case 3:
            let end = Int.random(in: position...bytes.count, using: &random)
            bytes.insert(contentsOf: bytes[position..<end], at: position)
        default:
            bytes.removeLast(bytes.count - position)
        }
    }

    private static func randomByte(using random: inout SplitMix64) -> UInt8 {
        if Int.random(in: 0..<10, using: &random) < 7 {
            return grammarBytes.randomElement(using: &random)!
        }
        return UInt8.random(in: 0...255, using: &random)
    }
}
