/// A fingerprint of a set of markets, to check that an edge holds exactly what the origin
/// holds without sending every market: each market hashes its canonical encoding, and the
/// set's digest is the wrapping sum of those hashes, so it can be kept up to date one market
/// at a time and does not depend on order.
public struct MarketDigest: Sendable, Hashable, CustomStringConvertible {
    public private(set) var value: UInt64 = 0
    public private(set) var count = 0

    public init() {}

    public init(value: UInt64, count: Int) {
        self.value = value
        self.count = count
    }

    public mutating func add(_ hash: UInt64) {
        value &+= hash
        count += 1
    }

    public mutating func remove(_ hash: UInt64) {
        value &-= hash
        count -= 1
    }

    /// Replaces a market's old hash by its new one.
    public mutating func replace(_ old: UInt64, with new: UInt64) {
        value = value &- old &+ new
    }

    public var description: String {
        FeedPosition.hex(value)
    }

    /// FNV-1a, 64 bits, over a market's wire encoding.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    public static func hash(_ market: Market) -> UInt64 {
        market.wireBytes.withUnsafeBytes { hash($0) }
    }
}
