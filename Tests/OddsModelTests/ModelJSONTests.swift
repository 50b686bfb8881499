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

    func testBetDocumentEqualsTheKeyByKeyDocument() throws {
        let ids = [
            "acc-1", "Bayern München \"B\"", "tab\there\\", "日本", "line\nbreak \u{01}", "x",
        ]
        var random = SplitMix(seed: 11)
        for round in 0..<200 {
            var bet = Bet(
                number: round % 7 == 0 ? UInt64.max : random.next() >> UInt64(round % 60),
                accountID: ids[round % ids.count], marketID: ids[(round + 1) % ids.count],
                selectionID: ids[(round + 2) % ids.count],
                price: try XCTUnwrap(Price(units: 10_001 + Int64(random.next() % 99_989_999))),
                stakeMinor: Int64(random.next() % 1_000_000_000),
                placedAtMicros: round % 5 == 0 ? -1_000 : 1_796_482_800_123_456 + Int64(round))
            bet.status = Bet.Status.allCases[round % Bet.Status.allCases.count]
            bet.returnedMinor = round % 3 == 0 ? 0 : Int64(random.next() % 1_000_000_000)
            bet.settledAtMicros = round % 2 == 0 ? 0 : bet.placedAtMicros + 5_000_000
            XCTAssertEqual(
                String(decoding: bet.jsonBytes, as: UTF8.self),
                String(decoding: reference(bet), as: UTF8.self))
            XCTAssertNoThrow(try JSONParser.parse(bet.jsonBytes))
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

    /// The bet's document as the general writer makes it.
    private func reference(_ bet: Bet) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("id")
        writer.string(bet.id)
        writer.key("account")
        writer.string(bet.accountID)
        writer.key("market")
        writer.string(bet.marketID)
        writer.key("selection")
        writer.string(bet.selectionID)
        writer.key("price")
        writer.string(bet.price.decimalText)
        writer.key("stake")
        writer.int(bet.stakeMinor)
        writer.key("potentialPayout")
        writer.int(bet.potentialPayoutMinor)
        writer.key("status")
        writer.string(bet.status.rawValue)
        writer.key("returned")
        writer.int(bet.returnedMinor)
        writer.key("placedAt")
        writer.string(Timestamp.iso8601(milliseconds: bet.placedAtMicros / 1000))
        if bet.settledAtMicros > 0 {
            writer.key("settledAt")
            writer.string(Timestamp.iso8601(milliseconds: bet.settledAtMicros / 1000))
        }
        writer.endObject()
        return writer.bytes
    }
}
