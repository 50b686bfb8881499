/// A bet the origin accepted: a stake on one selection of one market, at a price.
public struct Bet: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open
        case won
        case lost
        case void
    }

    /// `b` and the bet's number: `b1`, `b2`, ...
    public var id: String { Self.id(number: number) }
    public var number: UInt64
    public var accountID: String
    public var marketID: String
    public var selectionID: String
    /// The price the bet was taken at: the one the customer saw, or a better one.
    public var price: Price
    public var stakeMinor: Int64
    public var status: Status
    /// What the bet returned when settled (stake included); 0 while open or when lost.
    public var returnedMinor: Int64
    public var placedAtMicros: Int64
    public var settledAtMicros: Int64
    /// Voided on its own by an operator, not by its market's result: a resettlement of the
    /// market leaves it void.
    public var voidedAlone: Bool

    public init(
        number: UInt64, accountID: String, marketID: String, selectionID: String, price: Price,
        stakeMinor: Int64, status: Status = .open, returnedMinor: Int64 = 0,
        placedAtMicros: Int64, settledAtMicros: Int64 = 0, voidedAlone: Bool = false
    ) {
        self.number = number
        self.accountID = accountID
        self.marketID = marketID
        self.selectionID = selectionID
        self.price = price
        self.stakeMinor = stakeMinor
        self.status = status
        self.returnedMinor = returnedMinor
        self.placedAtMicros = placedAtMicros
        self.settledAtMicros = settledAtMicros
        self.voidedAlone = voidedAlone
    }

    /// What the bet returns if it wins, stake included, rounded down to the minor unit.
    public var potentialPayoutMinor: Int64 {
        Self.payout(stakeMinor: stakeMinor, price: price)
    }

    /// What the bookmaker stands to lose on it: the winnings beyond the stake.
    public var liabilityMinor: Int64 {
        potentialPayoutMinor - stakeMinor
    }

    /// `stake × price × numerator / denominator`, rounded down to the minor unit: the return
    /// of a winning bet, or of a dead heat where the stake is divided by the share given.
    /// Exact in integers: stakes are at most `AccountLimits.stakeCeilingMinor` and prices at
    /// most `Price.maximum`, so the product stays inside 64 bits.
    public static func payout(
        stakeMinor: Int64, price: Price, numerator: Int64 = 1, denominator: Int64 = 1
    ) -> Int64 {
        let full = stakeMinor.multipliedFullWidth(by: price.units * numerator)
        let divisor = Price.scale * denominator
        let (quotient, _) = divisor.dividingFullWidth(full)
        return quotient
    }

    /// Written in place by `writeID(to:)` too.
    public static func id(number: UInt64) -> String {
        "b\(number)"
    }

    /// The number in a bet id, or nil when `id` is not one.
    public static func number(fromID id: some StringProtocol) -> UInt64? {
        guard id.first == "b", id.count > 1 else { return nil }
        return UInt64(id.dropFirst())
    }
}
