// The stored encodings of accounts, ledger entries and bets (the origin's store keeps them).

extension Account: WireEncodable {
    public func encode(into writer: inout WireWriter) {
        writer.string(id)
        writer.int64(balanceMinor)
        writer.int64(limits.minStakeMinor)
        writer.int64(limits.maxStakeMinor)
        writer.int64(limits.maxLiabilityPerMarketMinor)
        writer.uint32(UInt32(clamping: limits.betsPerSecond))
        writer.int64(createdAtMicros)
        writer.uint64(entries)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        let id = try reader.string()
        let balance = try reader.int64()
        var limits = AccountLimits()
        limits.minStakeMinor = try reader.int64()
        limits.maxStakeMinor = try reader.int64()
        limits.maxLiabilityPerMarketMinor = try reader.int64()
        limits.betsPerSecond = Int(try reader.uint32())
        self.init(
            id: id, balanceMinor: balance, limits: limits, createdAtMicros: try reader.int64(),
            entries: try reader.uint64())
    }
}

extension LedgerEntry: WireEncodable {
    public func encode(into writer: inout WireWriter) {
        writer.string(accountID)
        writer.uint64(number)
        writer.uint8(kind.wireCode)
        writer.int64(amountMinor)
        writer.int64(balanceAfterMinor)
        writer.string(reference)
        writer.int64(atMicros)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        self.init(
            accountID: try reader.string(), number: try reader.uint64(),
            kind: try Kind(wireCode: try reader.uint8()), amountMinor: try reader.int64(),
            balanceAfterMinor: try reader.int64(), reference: try reader.string(),
            atMicros: try reader.int64())
    }
}

extension Bet: WireEncodable {
    public func encode(into writer: inout WireWriter) {
        writer.uint64(number)
        writer.string(accountID)
        writer.string(marketID)
        writer.string(selectionID)
        writer.int64(price.units)
        writer.int64(stakeMinor)
        writer.uint8(status.wireCode)
        writer.int64(returnedMinor)
        writer.int64(placedAtMicros)
        writer.int64(settledAtMicros)
        writer.bool(voidedAlone)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        let number = try reader.uint64()
        let account = try reader.string()
        let market = try reader.string()
        let selection = try reader.string()
        guard let price = Price(units: try reader.int64()) else {
            throw WireError.invalid("price")
        }
        self.init(
            number: number, accountID: account, marketID: market, selectionID: selection,
            price: price, stakeMinor: try reader.int64(),
            status: try Status(wireCode: try reader.uint8()), returnedMinor: try reader.int64(),
            placedAtMicros: try reader.int64(), settledAtMicros: try reader.int64(),
            voidedAlone: try reader.bool())
    }
}

extension LedgerEntry.Kind: WireCoded {
    static let wireOrder: [Self] = [.deposit, .withdrawal, .stake, .payout, .refund, .adjustment]

    var wireCode: UInt8 {
        switch self {
        case .deposit: return 0
        case .withdrawal: return 1
        case .stake: return 2
        case .payout: return 3
        case .refund: return 4
        case .adjustment: return 5
        }
    }
}

extension Bet.Status: WireCoded {
    static let wireOrder: [Self] = [.open, .won, .lost, .void]

    var wireCode: UInt8 {
        switch self {
        case .open: return 0
        case .won: return 1
        case .lost: return 2
        case .void: return 3
        }
    }
}
