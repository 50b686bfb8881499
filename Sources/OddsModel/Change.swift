/// One sequenced change: the new state of the event or market it touched.
///
/// Carrying the whole new state, not a patch, makes applying a change the same as storing
/// it, and keeps a replayed change harmless; the sequence number is what proves each change
/// was applied exactly once.
public struct Change: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        case event(Event)
        case market(Market)
    }

    /// The origin's global, gap-free sequence number.
    public var sequence: UInt64
    /// When the origin committed the change, Unix time in microseconds.
    public var publishedAtMicros: Int64
    public var body: Body
    /// The change's wire encoding as it arrived in a feed frame, kept so that a receiver
    /// that stores or forwards it need not encode it again; nil for a change made here.
    /// Not part of equality: it is the same change either way.
    public var received: [UInt8]?

    public init(sequence: UInt64, publishedAtMicros: Int64, body: Body) {
        self.sequence = sequence
        self.publishedAtMicros = publishedAtMicros
        self.body = body
    }

    public static func == (lhs: Change, rhs: Change) -> Bool {
        lhs.sequence == rhs.sequence && lhs.publishedAtMicros == rhs.publishedAtMicros
            && lhs.body == rhs.body
    }

    /// The wire encoding of the event or market alone (what an edge stores), from the
    /// received bytes when there are some.
    public var bodyWireBytes: ArraySlice<UInt8> {
        if let received {
            return received[Change.headerBytes...]
        }
        switch body {
        case .event(let event): return event.wireBytes[...]
        case .market(let market): return market.wireBytes[...]
        }
    }

    /// The whole change's wire encoding, from the received bytes when there are some.
    public var encodedBytes: [UInt8] {
        received ?? wireBytes
    }
}

/// Where a store stands in the origin's history: the epoch (which changes whenever the
/// history is cut off, so numbers from two histories are never compared) and the last
/// sequence number applied.
public struct FeedPosition: Sendable, Hashable, CustomStringConvertible {
    public var epoch: UInt64
    public var sequence: UInt64

    public init(epoch: UInt64, sequence: UInt64) {
        self.epoch = epoch
        self.sequence = sequence
    }

    /// An empty store: no epoch, nothing applied.
    public static let empty = FeedPosition(epoch: 0, sequence: 0)

    public var description: String {
        "\(Self.hex(epoch)):\(sequence)"
    }

    /// The epoch as 16 hex digits, as logs and headers show it.
    public static func hex(_ epoch: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { text in
            writeHex(epoch, into: text)
            return 16
        }
    }

    /// Writes `value` as 16 lowercase hex digits at the start of `text` (epochs here; trace
    /// ids at the edge).
    public static func writeHex(_ value: UInt64, into text: UnsafeMutableBufferPointer<UInt8>) {
        for index in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: value >> (60 - 4 * index)) & 0xF
            text[index] = nibble < 10
                ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
        }
    }
}
