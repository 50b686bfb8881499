/// One message of the feed protocol between an origin and an edge (or an edge and the edges
/// below it).
///
/// On the wire a frame is a 32-bit little-endian length of what follows up to the checksum,
/// a kind byte, the payload, and a CRC-32C of kind and payload. A frame whose checksum fails
/// is never applied: the receiver drops the connection and resynchronises.
public enum FeedFrame: Sendable, Equatable {
    /// Changes with consecutive sequence numbers, in order. `committedAtMicros` is when the
    /// origin's commit of them completed (0 when resent from the log): the moment they were
    /// accepted, from which propagation is measured.
    case batch(epoch: UInt64, committedAtMicros: Int64, changes: [Change])
    /// A full copy follows: `snapshotPart` frames, then `snapshotEnd`. The receiver replaces
    /// its whole state with it, at `position`.
    case snapshotBegin(position: FeedPosition, publishedAtMicros: Int64)
    case snapshotPart(events: [Event], markets: [Market])
    case snapshotEnd(position: FeedPosition)
    /// Nothing happened: the sender's position and clock, so a dead link shows within a
    /// second or two and lag can be measured.
    case heartbeat(position: FeedPosition, sentAtMicros: Int64)
    /// Receiver to sender: the position applied and committed, the receiver's last
    /// integrity check, and what it knows of the edges below it (an edge feeding others).
    case acknowledgement(
        position: FeedPosition, integrity: IntegrityReport, downstream: [EdgeReport] = [])

    public static let maxFrameBytes = 64 << 20
    /// Length, kind and checksum around every payload.
    public static let overheadBytes = 9

    enum Kind: UInt8 {
        case batch = 1
        case snapshotBegin = 2
        case snapshotPart = 3
        case snapshotEnd = 4
        case heartbeat = 5
        case acknowledgement = 6
    }

    /// The frame, length and checksum included.
    public var encoded: [UInt8] {
        var writer = WireWriter(capacity: 256)
        encode(into: &writer)
        return writer.bytes
    }

    /// Appends the framed encoding to `writer`.
    public func encode(into writer: inout WireWriter) {
        let start = writer.bytes.count
        writer.uint32(0)
        switch self {
        case .batch(let epoch, let committedAt, let changes):
            writer.uint8(Kind.batch.rawValue)
            writer.uint64(epoch)
            writer.int64(committedAt)
            writer.uint32(UInt32(changes.count))
            for change in changes {
                change.encode(into: &writer)
            }
        case .snapshotBegin(let position, let published):
            writer.uint8(Kind.snapshotBegin.rawValue)
            Self.encode(position, into: &writer)
            writer.int64(published)
        case .snapshotPart(let events, let markets):
            writer.uint8(Kind.snapshotPart.rawValue)
            writer.uint32(UInt32(events.count))
            for event in events {
                event.encode(into: &writer)
            }
            writer.uint32(UInt32(markets.count))
            for market in markets {
                market.encode(into: &writer)
            }
        case .snapshotEnd(let position):
            writer.uint8(Kind.snapshotEnd.rawValue)
            Self.encode(position, into: &writer)
        case .heartbeat(let position, let sentAt):
            writer.uint8(Kind.heartbeat.rawValue)
            Self.encode(position, into: &writer)
            writer.int64(sentAt)
        case .acknowledgement(let position, let integrity, let downstream):
            writer.uint8(Kind.acknowledgement.rawValue)
            Self.encode(position, into: &writer)
            writer.uint8(integrity.outcome.rawValue)
            writer.int64(integrity.checkedAtMicros)
            writer.uint32(UInt32(clamping: integrity.marketsRepaired))
            let reports = downstream.prefix(EdgeReport.maxPerAcknowledgement)
            writer.uint32(UInt32(reports.count))
            for report in reports {
                report.encode(into: &writer)
            }
        }
        let end = writer.bytes.count
        let checksum = writer.bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + 4)..<end]))
        }
        writer.uint32(checksum)
        writer.patchUInt32(UInt32(writer.bytes.count - start - 4), at: start)
    }

    /// A batch frame built from changes already encoded (as the origin's log keeps them),
    /// without decoding them again.
    public static func batchFrame(
        epoch: UInt64, committedAtMicros: Int64, encodedChanges: [[UInt8]]
    ) -> [UInt8] {
        framed(.batch, payloadBytes: encodedChanges.reduce(20) { $0 + $1.count }) { writer in
            writer.uint64(epoch)
            writer.int64(committedAtMicros)
            writer.uint32(UInt32(encodedChanges.count))
            for change in encodedChanges {
                writer.append(change)
            }
        }
    }

    /// A snapshot part built from events and markets already encoded (as stores keep them),
    /// without decoding them.
    public static func snapshotPartFrame(encodedEvents: [[UInt8]], encodedMarkets: [[UInt8]])
        -> [UInt8]
    {
        let payloadBytes = (encodedEvents + encodedMarkets).reduce(8) { $0 + $1.count }
        return framed(.snapshotPart, payloadBytes: payloadBytes) { writer in
            for records in [encodedEvents, encodedMarkets] {
                writer.uint32(UInt32(records.count))
                for record in records {
                    writer.append(record)
                }
            }
        }
    }

    /// A frame of `kind` whose payload `body` writes: length, kind, payload, checksum.
    private static func framed(
        _ kind: Kind, payloadBytes: Int, _ body: (inout WireWriter) -> Void
    ) -> [UInt8] {
        var writer = WireWriter(capacity: payloadBytes + overheadBytes + 1)
        writer.uint32(0)
        writer.uint8(kind.rawValue)
        body(&writer)
        let checksum = writer.withBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[4...]))
        }
        writer.uint32(checksum)
        writer.patchUInt32(UInt32(writer.count - 4), at: 0)
        return writer.bytes
    }

    /// Decodes kind and payload (the bytes between the length and the checksum); text comes
    /// from `interner` when it has seen it before.
    static func decode(
        body: UnsafeRawBufferPointer, interner: UnsafeMutablePointer<TextInterner>? = nil
    ) throws(WireError) -> FeedFrame {
        var reader = WireReader(body, interner: interner)
        let frame: FeedFrame
        switch Kind(rawValue: try reader.uint8()) {
        case .batch:
            let epoch = try reader.uint64()
            let committedAt = try reader.int64()
            let count = try reader.count(minimumItemBytes: 17)
            var changes: [Change] = []
            changes.reserveCapacity(count)
            for _ in 0..<count {
                let start = reader.offset
                var change = try Change(from: &reader)
                change.received = Array(reader.bytes(from: start))
                changes.append(change)
            }
            frame = .batch(epoch: epoch, committedAtMicros: committedAt, changes: changes)
        case .snapshotBegin:
            frame = .snapshotBegin(position: try decodePosition(&reader),
                publishedAtMicros: try reader.int64())
        case .snapshotPart:
            let eventCount = try reader.count(minimumItemBytes: 33)
            var events: [Event] = []
            events.reserveCapacity(eventCount)
            for _ in 0..<eventCount {
                events.append(try Event(from: &reader))
            }
            let marketCount = try reader.count(minimumItemBytes: 34)
            var markets: [Market] = []
            markets.reserveCapacity(marketCount)
            for _ in 0..<marketCount {
                markets.append(try Market(from: &reader))
            }
            frame = .snapshotPart(events: events, markets: markets)
        case .snapshotEnd:
            frame = .snapshotEnd(position: try decodePosition(&reader))
        case .heartbeat:
            frame = .heartbeat(position: try decodePosition(&reader),
                sentAtMicros: try reader.int64())
        case .acknowledgement:
            let position = try decodePosition(&reader)
            guard let outcome = IntegrityReport.Outcome(rawValue: try reader.uint8()) else {
                throw WireError.invalid("integrity outcome")
            }
            let integrity = IntegrityReport(
                outcome: outcome, checkedAtMicros: try reader.int64(),
                marketsRepaired: Int(try reader.uint32()))
            var downstream: [EdgeReport] = []
            // An acknowledgement without reports (a leaf edge's, or an older edge's) ends here.
            if reader.remaining > 0 {
                let count = try reader.count(minimumItemBytes: 44)
                guard count <= EdgeReport.maxPerAcknowledgement else {
                    throw WireError.invalid("too many edge reports")
                }
                for _ in 0..<count {
                    downstream.append(try EdgeReport(from: &reader))
                }
            }
            frame = .acknowledgement(
                position: position, integrity: integrity, downstream: downstream)
        case nil:
            throw WireError.invalid("frame kind")
        }
        try reader.finish()
        return frame
    }

    private static func encode(_ position: FeedPosition, into writer: inout WireWriter) {
        writer.uint64(position.epoch)
        writer.uint64(position.sequence)
    }

    private static func decodePosition(_ reader: inout WireReader) throws(WireError)
        -> FeedPosition
    {
        FeedPosition(epoch: try reader.uint64(), sequence: try reader.uint64())
    }
}

/// Cuts a byte stream into frames, however the bytes were split on the way.
public struct FeedFrameDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    public let maxFrameBytes: Int
    /// The text of recent frames, so the same ids and names are not made again each time.
    private var interner = TextInterner()

    public init(maxFrameBytes: Int = FeedFrame.maxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes received and not yet returned as frames.
    public var bufferedBytes: Int {
        buffer.count - start
    }

    public mutating func append(_ bytes: [UInt8]) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole frame, or nil until more bytes arrive. Throws on a frame that is too
    /// large, fails its checksum or does not decode; the stream is unusable after that.
    public mutating func next() throws(WireError) -> FeedFrame? {
        // Taken out while a frame is decoded (the decoding borrows it), then put back.
        var interner = self.interner
        self.interner = TextInterner()
        defer { self.interner = interner }
        return try withUnsafeMutablePointer(to: &interner) { lent throws(WireError) in
            try nextBody { body throws(WireError) in
                try FeedFrame.decode(body: body, interner: lent)
            }
        }
    }

    /// Like `next`, but a batch frame comes back as its summary, without decoding its
    /// changes (checked against its checksum all the same); any other frame as `.other`.
    /// For a reader that only times batches, such as a benchmark.
    public mutating func nextSummary() throws(WireError) -> FeedFrameSummary? {
        try nextBody { body throws(WireError) in try FeedFrameSummary(body: body) }
    }

    private mutating func nextBody<Decoded>(
        _ decode: (UnsafeRawBufferPointer) throws(WireError) -> Decoded
    ) throws(WireError) -> Decoded? {
        guard buffer.count - start >= 4 else { return nil }
        let length = buffer.withUnsafeBytes { raw in
            Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start, as: UInt32.self)))
        }
        guard length >= 5, length <= maxFrameBytes else { throw WireError.frameTooLarge(length) }
        guard buffer.count - start >= 4 + length else { return nil }
        let frameStart = start + 4
        let bodyEnd = frameStart + length - 4
        let result: Result<Decoded, WireError> = buffer.withUnsafeBytes { raw in
            let body = UnsafeRawBufferPointer(rebasing: raw[frameStart..<bodyEnd])
            let stored = UInt32(littleEndian: raw.loadUnaligned(
                fromByteOffset: bodyEnd, as: UInt32.self))
            guard CRC32C.checksum(body) == stored else { return .failure(.checksumMismatch) }
            return Result { () throws(WireError) in try decode(body) }
        }
        start = bodyEnd + 4
        if start > 1 << 20, start * 2 > buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return try result.get()
    }
}

/// A feed frame as a reader that times batches sees it: a batch's epoch, commit time, and
/// the sequence numbers it carries (consecutive, from `firstSequence`), or some other frame.
public enum FeedFrameSummary: Sendable, Equatable {
    case batch(epoch: UInt64, committedAtMicros: Int64, firstSequence: UInt64, count: Int)
    case other

    init(body: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(body)
        guard try reader.uint8() == FeedFrame.Kind.batch.rawValue else {
            self = .other
            return
        }
        let epoch = try reader.uint64()
        let committedAt = try reader.int64()
        let count = try reader.count(minimumItemBytes: Change.headerBytes)
        // Each change begins with its sequence number.
        let first = count > 0 ? try reader.uint64() : 0
        self = .batch(
            epoch: epoch, committedAtMicros: committedAt, firstSequence: first, count: count)
    }
}
