/// A customer's account at the origin: a balance in minor units (cents, pence) and the limits
/// its bets must keep. The balance always equals the sum of the account's ledger entries.
public struct Account: Sendable, Equatable {
    public var id: String
    public var balanceMinor: Int64
    public var limits: AccountLimits
    public var createdAtMicros: Int64
    /// How many ledger entries the account has; the next one is numbered `entries + 1`.
    public var entries: UInt64

    public init(
        id: String, balanceMinor: Int64 = 0, limits: AccountLimits = AccountLimits(),
        createdAtMicros: Int64, entries: UInt64 = 0
    ) {
        self.id = id
        self.balanceMinor = balanceMinor
        self.limits = limits
        self.createdAtMicros = createdAtMicros
        self.entries = entries
    }
}

/// What an account's bets must keep to. Amounts in minor units.
public struct AccountLimits: Sendable, Equatable {
    public var minStakeMinor: Int64 = 10
    public var maxStakeMinor: Int64 = 10_000_000
    /// The most the account can win, beyond its stakes, from its open bets on one market.
    public var maxLiabilityPerMarketMinor: Int64 = 100_000_000
    public var betsPerSecond: Int = 20

    public init() {}

    /// The largest stake any account may have: with the highest price it keeps a payout
    /// inside 64 bits with room to spare.
    public static let stakeCeilingMinor: Int64 = 10_000_000_000
    public static let betsPerSecondCeiling = 100_000

    /// Why these limits cannot be used, or nil when they can.
    public var problem: String? {
        if minStakeMinor < 1 { return "minStake: at least 1 minor unit" }
        if maxStakeMinor < minStakeMinor { return "maxStake: below minStake" }
        if maxStakeMinor > Self.stakeCeilingMinor {
            return "maxStake: at most \(Self.stakeCeilingMinor) minor units"
        }
        if maxLiabilityPerMarketMinor < 0 { return "maxLiabilityPerMarket: negative" }
        if betsPerSecond < 1 || betsPerSecond > Self.betsPerSecondCeiling {
            return "betsPerSecond: 1 to \(Self.betsPerSecondCeiling)"
        }
        return nil
    }
}

/// One movement of an account's money. The ledger is append-only: a correction is a new
/// entry, never an edit.
public struct LedgerEntry: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case deposit
        case withdrawal
        case stake
        case payout
        case refund
        case adjustment
    }

    public var accountID: String
    /// The entry's number within its account, from 1, without gaps.
    public var number: UInt64
    public var kind: Kind
    /// Signed: deposits, payouts and refunds add, withdrawals and stakes take away.
    public var amountMinor: Int64
    public var balanceAfterMinor: Int64
    /// What the entry is for: a bet id, a market id, an operator's note.
    public var reference: String
    public var atMicros: Int64

    public init(
        accountID: String, number: UInt64, kind: Kind, amountMinor: Int64,
        balanceAfterMinor: Int64, reference: String, atMicros: Int64
    ) {
        self.accountID = accountID
        self.number = number
        self.kind = kind
        self.amountMinor = amountMinor
        self.balanceAfterMinor = balanceAfterMinor
        self.reference = reference
        self.atMicros = atMicros
    }
}
