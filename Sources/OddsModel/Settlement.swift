/// A market's result: the winning selections, each with its dead-heat share, or void.
public struct Settlement: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case winners([Winner])
        /// Every bet is refunded.
        case void
    }

    /// A winning selection. When selections tie (a dead heat), the stake is divided by the
    /// number of places shared: a two-way tie for one place pays the winnings of half the
    /// stake at the full price, and the other half is lost. `numerator / denominator` is
    /// the share paid, at most 1.
    public struct Winner: Sendable, Equatable {
        public var selectionID: String
        public var numerator: Int64
        public var denominator: Int64

        public init(selectionID: String, numerator: Int64 = 1, denominator: Int64 = 1) {
            self.selectionID = selectionID
            self.numerator = numerator
            self.denominator = denominator
        }

        /// The largest denominator a share may have: dead heats involve a handful of runners.
        public static let maxDenominator: Int64 = 1000

        /// Parses `1/2` into a share; nil unless `0 < numerator <= denominator <= 1000`.
        public static func share(parsing text: some StringProtocol) -> (Int64, Int64)? {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let numerator = Int64(parts[0]),
                let denominator = Int64(parts[1]), numerator > 0, numerator <= denominator,
                denominator <= maxDenominator
            else { return nil }
            return (numerator, denominator)
        }

        public var shareText: String { "\(numerator)/\(denominator)" }
    }

    public var marketID: String
    public var outcome: Outcome
    public var settledAtMicros: Int64

    public init(marketID: String, outcome: Outcome, settledAtMicros: Int64) {
        self.marketID = marketID
        self.outcome = outcome
        self.settledAtMicros = settledAtMicros
    }

    /// What a bet on `selectionID` returns under this result (stake included), and the
    /// status it ends in.
    public func result(of bet: Bet) -> (status: Bet.Status, returnedMinor: Int64) {
        switch outcome {
        case .void:
            return (.void, bet.stakeMinor)
        case .winners(let winners):
            guard let winner = winners.first(where: { $0.selectionID == bet.selectionID }) else {
                return (.lost, 0)
            }
            return (.won, Bet.payout(
                stakeMinor: bet.stakeMinor, price: bet.price, numerator: winner.numerator,
                denominator: winner.denominator))
        }
    }
}

extension Settlement: WireEncodable {
    public func encode(into writer: inout WireWriter) {
        writer.string(marketID)
        writer.int64(settledAtMicros)
        switch outcome {
        case .void:
            writer.uint8(0)
        case .winners(let winners):
            writer.uint8(1)
            writer.uint32(UInt32(winners.count))
            for winner in winners {
                writer.string(winner.selectionID)
                writer.int64(winner.numerator)
                writer.int64(winner.denominator)
            }
        }
    }

    public init(from reader: inout WireReader) throws(WireError) {
        let market = try reader.string()
        let at = try reader.int64()
        switch try reader.uint8() {
        case 0:
            self.init(marketID: market, outcome: .void, settledAtMicros: at)
        case 1:
            let count = try reader.count(minimumItemBytes: 20)
            var winners: [Winner] = []
            for _ in 0..<count {
                winners.append(Winner(
                    selectionID: try reader.string(), numerator: try reader.int64(),
                    denominator: try reader.int64()))
            }
            self.init(marketID: market, outcome: .winners(winners), settledAtMicros: at)
        default:
            throw WireError.invalid("settlement outcome")
        }
    }
}
