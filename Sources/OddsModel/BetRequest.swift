/// A customer's bet as the edge forwards it: what they saw and what they stake.
public struct BetRequest: Sendable, Equatable {
    /// Which prices the customer accepts besides the one they saw.
    public enum Policy: String, Sendable, CaseIterable {
        /// Only the price seen.
        case exact
        /// The price seen or a higher one (which pays more).
        case better
    }

    public var marketID: String
    public var selectionID: String
    public var price: Price
    /// The market version the price was read at.
    public var marketVersion: UInt64
    public var stakeMinor: Int64
    public var policy: Policy

    public init(
        marketID: String, selectionID: String, price: Price, marketVersion: UInt64,
        stakeMinor: Int64, policy: Policy = .exact
    ) {
        self.marketID = marketID
        self.selectionID = selectionID
        self.price = price
        self.marketVersion = marketVersion
        self.stakeMinor = stakeMinor
        self.policy = policy
    }

    /// A hash of every field, so a retry with the same idempotency key can be told apart
    /// from another bet sent under a reused key. FNV-1a over a canonical encoding.
    public var fingerprint: UInt64 {
        var writer = WireWriter(capacity: 96)
        writer.string(marketID)
        writer.string(selectionID)
        writer.int64(price.units)
        writer.uint64(marketVersion)
        writer.int64(stakeMinor)
        writer.string(policy.rawValue)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in writer.bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Why a bet was not accepted. The raw values are a stable contract with clients.
public enum BetRejectionReason: String, Sendable, CaseIterable, Error {
    case priceChanged = "price_changed"
    case marketSuspended = "market_suspended"
    case marketClosed = "market_closed"
    case insufficientFunds = "insufficient_funds"
    case stakeTooLow = "stake_too_low"
    case stakeTooHigh = "stake_too_high"
    case liabilityLimit = "liability_limit"
    case rateLimited = "rate_limited"
    case unknownMarket = "unknown_market"
    case unknownSelection = "unknown_selection"
    case invalidRequest = "invalid_request"
    case unknownAccount = "unknown_account"
    case idempotencyKeyReused = "idempotency_key_reused"

    /// The HTTP status a rejection is answered with.
    public var httpStatus: Int {
        switch self {
        case .invalidRequest, .idempotencyKeyReused: return 422
        case .rateLimited: return 429
        case .unknownAccount: return 403
        default: return 409
        }
    }

    /// Whether the decision is kept under the idempotency key, so a retry gets it back.
    /// Refusals that say nothing about the bet itself (malformed, too fast) are not kept:
    /// a retry with the same key is decided afresh.
    public var isRecorded: Bool {
        switch self {
        case .invalidRequest, .rateLimited, .idempotencyKeyReused: return false
        default: return true
        }
    }
}
