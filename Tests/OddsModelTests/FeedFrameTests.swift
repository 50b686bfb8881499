import OddsModel
import XCTest

final class FeedFrameTests: XCTestCase {
    private func market(version: UInt64 = 7) throws -> Market {
        Market(
            id: "m1", eventID: "e1", type: "match_odds", name: "Match Odds", status: .suspended,
            inPlay: true, betDelayMilliseconds: 5000, selections: [
                Selection(id: "home", name: "Arsenal", price: try Price(parsing: "2.10")),
                Selection(
                    id: "draw", name: "Draw", price: try Price(parsing: "3.4"),
                    status: .suspended),
            ], version: version)
    }

    private func event() -> Event {
        Event(
            id: "e1", sport: "football", competition: "Premier League", name: "Arsenal v Spurs",
            startTimeMilliseconds: 1_796_000_000_000, status: .inPlay, version: 3)
    }

    private func frames() throws -> [FeedFrame] {
        let position = FeedPosition(epoch: 0xABCD, sequence: 42)
        return [
            .batch(epoch: 0xABCD, committedAtMicros: 77, changes: [
                Change(sequence: 41, publishedAtMicros: 1, body: .event(event())),
                Change(sequence: 42, publishedAtMicros: 2, body: .market(try market())),
            ]),
            .snapshotBegin(position: position, publishedAtMicros: 99),
            .snapshotPart(events: [event()], markets: [try market(), try market(version: 8)]),
            .snapshotEnd(position: position),
            .heartbeat(position: position, sentAtMicros: 123),
            .acknowledgement(position: position, integrity: IntegrityReport(
                outcome: .repaired, checkedAtMicros: 5, marketsRepaired: 2)),
            .acknowledgement(
                position: position, integrity: IntegrityReport(),
                downstream: [EdgeReport(
                    id: "edge-3", address: "10.0.0.3:443", parent: "edge-2", tier: 2,
                    position: position, connected: true, connectedSinceMicros: 11,
                    acknowledgedAtMicros: 12, integrity: .matched)]),
        ]
    }

    func testFramesRoundTripHoweverTheBytesAreSplit() throws {
        let frames = try frames()
        let bytes = frames.flatMap(\.encoded)
        for chunkSize in [1, 3, 7, 64, bytes.count] {
            var decoder = FeedFrameDecoder()
            var decoded: [FeedFrame] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunkSize)
                decoder.append(Array(bytes[offset..<end]))
                offset = end
                while let frame = try decoder.next() {
                    decoded.append(frame)
                }
            }
            XCTAssertEqual(decoded, frames, "chunks of \(chunkSize)")
            XCTAssertEqual(decoder.bufferedBytes, 0)
        }
    }

    func testSnapshotPartFromEncodedRecordsEqualsTheEncodedPart() throws {
        let markets = [try market(), try market(version: 9)]
        XCTAssertEqual(
            FeedFrame.snapshotPartFrame(
                encodedEvents: [event().wireBytes], encodedMarkets: markets.map(\.wireBytes)),
            FeedFrame.snapshotPart(events: [event()], markets: markets).encoded)
    }

    func testBatchFromEncodedChangesEqualsTheEncodedBatch() throws {
        let changes = [Change(sequence: 9, publishedAtMicros: 4, body: .market(try market()))]
        XCTAssertEqual(
            FeedFrame.batchFrame(
                epoch: 5, committedAtMicros: 6, encodedChanges: changes.map(\.wireBytes)),
            FeedFrame.batch(epoch: 5, committedAtMicros: 6, changes: changes).encoded)
    }

    func testAChangeEncodingEndsWithItsEntitysEncoding() throws {
        let market = try market()
        let change = Change(sequence: 3, publishedAtMicros: 4, body: .market(market))
        XCTAssertEqual(Array(change.wireBytes[Change.headerBytes...]), market.wireBytes)
        let eventChange = Change(sequence: 5, publishedAtMicros: 6, body: .event(event()))
        XCTAssertEqual(Array(eventChange.wireBytes[Change.headerBytes...]), event().wireBytes)
    }

    func testDecodedChangesKeepTheBytesTheyArrivedIn() throws {
        let changes = [
            Change(sequence: 1, publishedAtMicros: 2, body: .event(event())),
            Change(sequence: 2, publishedAtMicros: 3, body: .market(try market())),
        ]
        var decoder = FeedFrameDecoder()
        decoder.append(FeedFrame.batch(epoch: 1, committedAtMicros: 4, changes: changes).encoded)
        guard case .batch(_, _, let decoded)? = try decoder.next() else {
            return XCTFail("no batch")
        }
        XCTAssertEqual(decoded, changes)
        for (received, sent) in zip(decoded, changes) {
            XCTAssertEqual(received.received, sent.wireBytes)
            XCTAssertEqual(received.encodedBytes, sent.wireBytes)
            XCTAssertEqual(Array(received.bodyWireBytes), Array(sent.bodyWireBytes))
            XCTAssertNil(sent.received)
        }
    }

    func testTextComesBackTheSameThroughTheDecodersMemoryOfIt() throws {
        // More distinct ids than the decoder keeps, twice over, with long and non-ASCII names.
        let names = [
            "Match Odds", "Bayern München v Ødegaard's XI", String(repeating: "z", count: 70),
        ]
        var decoder = FeedFrameDecoder()
        for round in 0..<2 {
            for part in 0..<10 {
                let markets = try (0..<600).map { index -> Market in
                    var market = try market(version: UInt64(round * 10 + part))
                    market.id = "m\(part)-\(index)"
                    market.name = names[(index + round) % names.count]
                    return market
                }
                let changes = markets.enumerated().map { offset, market in
                    Change(sequence: UInt64(offset + 1), publishedAtMicros: 1,
                           body: .market(market))
                }
                decoder.append(
                    FeedFrame.batch(epoch: 1, committedAtMicros: 2, changes: changes).encoded)
                guard case .batch(_, _, let decoded)? = try decoder.next() else {
                    return XCTFail("no batch")
                }
                XCTAssertEqual(decoded, changes)
            }
        }
    }

    func testSummariesNameEachBatchsNumbersWithoutDecodingItsChanges() throws {
        var decoder = FeedFrameDecoder()
        for frame in try frames() {
            decoder.append(frame.encoded)
        }
        var summaries: [FeedFrameSummary] = []
        while let summary = try decoder.nextSummary() {
            summaries.append(summary)
        }
        XCTAssertEqual(summaries, [
            .batch(epoch: 0xABCD, committedAtMicros: 77, firstSequence: 41, count: 2),
            .other, .other, .other, .other, .other, .other,
        ])
        var corrupt = FeedFrame.batch(epoch: 1, committedAtMicros: 2, changes: [
            Change(sequence: 5, publishedAtMicros: 1, body: .event(event())),
        ]).encoded
        corrupt[12] ^= 0x40
        var strict = FeedFrameDecoder()
        strict.append(corrupt)
        XCTAssertThrowsError(try strict.nextSummary())
    }

    func testAFlippedBitFailsTheChecksum() throws {
        var bytes = FeedFrame.heartbeat(
            position: FeedPosition(epoch: 1, sequence: 2), sentAtMicros: 3).encoded
        bytes[10] ^= 0x01
        var decoder = FeedFrameDecoder()
        decoder.append(bytes)
        XCTAssertThrowsError(try decoder.next()) { error in
            XCTAssertEqual(error as? WireError, .checksumMismatch)
        }
    }

    func testOversizedLengthIsRefusedBeforeBuffering() {
        var decoder = FeedFrameDecoder(maxFrameBytes: 1024)
        decoder.append([0xFF, 0xFF, 0xFF, 0x7F, 1])
        XCTAssertThrowsError(try decoder.next())
    }

    func testRandomBytesNeverCrashTheDecoders() throws {
        var generator = SplitMix(seed: 7)
        let valid = try frames().flatMap(\.encoded)
        for round in 0..<3000 {
            var bytes = valid
            for _ in 0..<(1 + round % 8) {
                let index = Int(generator.next() % UInt64(bytes.count))
                bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            }
            var decoder = FeedFrameDecoder()
            decoder.append(bytes)
            while (try? decoder.next()) != nil {}
            bytes.withUnsafeBytes { raw in
                _ = try? Market(wireBytes: raw)
                _ = try? Change(wireBytes: raw)
            }
        }
    }

    func testMarketDigestIsOrderFreeAndTracksReplacement() throws {
        let a = MarketDigest.hash(try market(version: 1))
        let b = MarketDigest.hash(try market(version: 2))
        var forward = MarketDigest()
        forward.add(a)
        forward.add(b)
        var backward = MarketDigest()
        backward.add(b)
        backward.add(a)
        XCTAssertEqual(forward, backward)
        forward.replace(b, with: a)
        XCTAssertNotEqual(forward, backward)
    }

    func testTimestampsRoundTrip() {
        XCTAssertEqual(Timestamp.iso8601(milliseconds: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(
            Timestamp.parseISO8601("2026-12-05T15:00:00Z"), 1_796_482_800_000)
        XCTAssertEqual(
            Timestamp.iso8601(milliseconds: 1_796_482_800_123), "2026-12-05T15:00:00.123Z")
        XCTAssertEqual(Timestamp.parseISO8601("2026-12-05T15:00:00.123Z"), 1_796_482_800_123)
        XCTAssertNil(Timestamp.parseISO8601("2026-13-05T15:00:00Z"))
        XCTAssertNil(Timestamp.parseISO8601("yesterday"))
        XCTAssertEqual(Timestamp.iso8601(milliseconds: -1), "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(
            Timestamp.iso8601(milliseconds: 253_402_300_799_999), "9999-12-31T23:59:59.999Z")
        XCTAssertEqual(
            Timestamp.iso8601(milliseconds: 253_402_300_800_000), "10000-01-01T00:00:00.000Z")
        XCTAssertEqual(
            Timestamp.iso8601(milliseconds: -62_167_219_200_000), "0000-01-01T00:00:00.000Z")
        for milliseconds in stride(from: Int64(0), to: 4_000_000_000_000, by: 86_399_999_937) {
            let text = Timestamp.iso8601(milliseconds: milliseconds)
            XCTAssertEqual(Timestamp.parseISO8601(text), milliseconds, text)
        }
    }

    func testWireTextKeepsUTF8AndRefusesInvalidBytes() throws {
        for text in ["", "Arsenal v Spurs, a long name past sixteen bytes", "Bayern München",
                     "Ødegaard – 1ère", "日本 v 韓国", String(repeating: "x", count: 1000)]
        {
            var writer = WireWriter()
            writer.string(text)
            let decoded = try writer.bytes.withUnsafeBytes { raw in
                var reader = WireReader(raw)
                return try reader.string()
            }
            XCTAssertEqual(decoded, text)
        }
        // A length of 9, then ASCII with one byte that is no UTF-8 at all.
        let invalid: [UInt8] = [9, 0, 0, 0] + Array("abcdefgh".utf8) + [0xFF]
        XCTAssertThrowsError(try invalid.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            return try reader.string()
        })
    }
}

/// A small deterministic generator for fuzzing.
struct SplitMix {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
