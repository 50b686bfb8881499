import JSON
import OddsModel
import XCTest

/// The market document is written as fixed pieces straight into memory (the edge writes one
/// per change): it must equal what the general writer makes key by key, escapes included.
final class ModelJSONTests: XCTestCase {
    func testMarketDocumentEqualsTheKeyByKeyDocument() throws {
        let names = ["Match Odds", "Bayern München v \"Spurs\"", "tab\there\\", "日本 v 韓国",
                     "line\nbreak \u{01}", String(repeating: "long name ", count: 40), ""]
        var random = SplitMix(seed: 7)
        for round in 0..<200 {
            let name = names[round % names.count]
            let selections = try (0..<(round % 6)).map { index in
                Selection(
                    id: "s\(index)\(names[(round + index) % names.count].prefix(3))",
                    name: names[(round + index + 1) % names.count],
                    price: try XCTUnwrap(Price(units: 10_001 + Int64(random.next() % 99_989_999))),
                    status: index % 3 == 0 ? .suspended : .active)
            }
            let market = Market(
                id: "m\(round)", eventID: "e-\(name.prefix(4))", type: name, name: name,
                status: round % 4 == 0 ? .suspended : .open, inPlay: round % 2 == 0,
                betDelayMilliseconds: round * 37, selections: selections,
                version: random.next() >> 1)
            let published: Int64? = round % 3 == 0 ? nil : 1_796_482_800_123_456 + Int64(round)
            let bytes = market.jsonBytes(publishedAtMicros: published)
            XCTAssertEqual(
                String(decoding: bytes, as: UTF8.self),
                String(decoding: reference(market, publishedAtMicros: published), as: UTF8.self))
            XCTAssertNoThrow(try JSONParser.parse(bytes))
        }
    }

    func testStreamEventIDsAndEpochsRoundTrip() {
        for (epoch, sequence) in [(UInt64(0), UInt64(0)), (1, 9), (0xabc, 10),
                                  (UInt64.max, UInt64.max), (0x0123_4567_89ab_cdef, 1_000_000)]
        {
            let position = FeedPosition(epoch: epoch, sequence: sequence)
            let text = StreamEventID.text(position)
            XCTAssertEqual(text, FeedPosition.hex(epoch) + "-\(sequence)")
            XCTAssertEqual(StreamEventID.parse(text), position)
            let hex = String(epoch, radix: 16)
            XCTAssertEqual(FeedPosition.hex(epoch), String(repeating: "0", count: 16 - hex.count)
                + hex)
        }
    }

    /// The document as the general writer makes it.
    private func reference(_ market: Market, publishedAtMicros: Int64?) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        writer.string(market.id)
        writer.key("event")
        writer.string(market.eventID)
        writer.key("type")
        writer.string(market.type)
        writer.key("name")
        writer.string(market.name)
        writer.key("status")
        writer.string(market.status.rawValue)
        writer.key("inPlay")
        writer.bool(market.inPlay)
        writer.key("betDelayMs")
        writer.int(Int64(market.betDelayMilliseconds))
        writer.key("version")
        writer.int(Int64(clamping: market.version))
        if let publishedAtMicros {
            writer.key("publishedAt")
            writer.string(Timestamp.iso8601(milliseconds: publishedAtMicros / 1000))
        }
        writer.key("selections")
        writer.beginArray()
        for selection in market.selections {
            writer.beginObject()
            writer.key("id")
            writer.string(selection.id)
            writer.key("name")
            writer.string(selection.name)
            writer.key("status")
            writer.string(selection.status.rawValue)
            writer.key("price")
            writer.beginObject()
            writer.key("decimal")
            writer.string(selection.price.decimalText)
            writer.key("fractional")
            writer.string(selection.price.fractionalText)
            writer.key("american")
            writer.string(selection.price.americanText)
            writer.endObject()
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
