import OddsModel

/// The origin's accounts, each account's open liability per market, and the rules for bets
/// and money. Pure state, like `OriginBook`: an operation either refuses and changes nothing,
/// or changes the book and records what must be stored in `BetWrites`. Sequencer thread only.
struct BetBook {
    // Sharded: these grow with the accounts that bet, under load (see ShardedDictionary).
    private(set) var accounts = ShardedDictionary<String, Account>()
    /// Open liability (winnings beyond the stakes) per account and market.
    private(set) var exposures = ShardedDictionary<Exposure, Int64>()
    private(set) var lastBetNumber: UInt64 = 0
    private var rates = ShardedDictionary<String, RateWindow>()

    struct Exposure: Hashable {
        var accountID: String
        var marketID: String
    }

    mutating func load(_ account: Account) {
        accounts[account.id] = account
    }

    /// Counts an open bet's liability, at start.
    mutating func load(openBet bet: Bet) {
        exposures[Exposure(accountID: bet.accountID, marketID: bet.marketID), default: 0] +=
            bet.liabilityMinor
    }

    mutating func load(lastBetNumber: UInt64) {
        self.lastBetNumber = lastBetNumber
    }

    // MARK: Bets

    /// Counts a bet against the account's bets-per-second limit. False when the account has
    /// used up this second's allowance (the bet is refused with `rate_limited`).
    mutating func admit(accountID: String, nowMicros: Int64) -> Bool {
        guard let account = accounts[accountID] else { return true }
        let second = nowMicros / 1_000_000
        var window = rates[accountID] ?? RateWindow(second: second, count: 0)
        if window.second != second {
            window = RateWindow(second: second, count: 0)
        }
        guard window.count < account.limits.betsPerSecond else { return false }
        window.count += 1
        rates[accountID] = window
        return true
    }

    /// Decides `request` against `market` as it stands now. Accepted: the bet is numbered,
    /// the stake debited and the exposure raised, all recorded in `writes`. Rejected: nothing
    /// changes.
    mutating func place(
        _ request: BetRequest, accountID: String, market: Market?, nowMicros: Int64,
        writes: inout BetWrites
    ) -> Result<Bet, BetRejection> {
        guard var account = accounts[accountID] else {
            return .failure(BetRejection(.unknownAccount, "account \(accountID) does not exist"))
        }
        guard let market else {
            return .failure(BetRejection(
                .unknownMarket, "market \(request.marketID) does not exist"))
        }
        guard let index = market.selectionIndex(request.selectionID),
            market.selections[index].status != .removed
        else {
            return .failure(BetRejection(
                .unknownSelection,
                "market \(market.id) has no selection \(request.selectionID)"))
        }
        switch market.status {
        case .open: break
        case .suspended:
            return .failure(BetRejection(.marketSuspended, "market \(market.id) is suspended"))
        case .closed, .settled, .voided:
            return .failure(BetRejection(
                .marketClosed, "market \(market.id) is \(market.status.rawValue)"))
        }
        let selection = market.selections[index]
        guard selection.status == .active else {
            return .failure(BetRejection(
                .marketSuspended, "selection \(selection.id) is \(selection.status.rawValue)"))
        }
        let current = selection.price
        let acceptable = request.policy == .exact
            ? current == request.price : current >= request.price
        guard acceptable else {
            return .failure(BetRejection(
                .priceChanged,
                "the price of \(selection.id) is \(current), not \(request.price)",
                currentPrice: current, marketVersion: market.version))
        }

        let limits = account.limits
        guard request.stakeMinor >= limits.minStakeMinor else {
            return .failure(BetRejection(
                .stakeTooLow, "the smallest stake is \(limits.minStakeMinor)"))
        }
        guard request.stakeMinor <= limits.maxStakeMinor else {
            return .failure(BetRejection(
                .stakeTooHigh, "the largest stake is \(limits.maxStakeMinor)"))
        }
        guard account.balanceMinor >= request.stakeMinor else {
            return .failure(BetRejection(
                .insufficientFunds,
                "the balance is \(account.balanceMinor), the stake \(request.stakeMinor)"))
        }
        let bet = Bet(
            number: lastBetNumber + 1, accountID: accountID, marketID: market.id,
            selectionID: selection.id, price: current, stakeMinor: request.stakeMinor,
            placedAtMicros: nowMicros)
        let exposure = Exposure(accountID: accountID, marketID: market.id)
        let liability = (exposures[exposure] ?? 0) + bet.liabilityMinor
        guard liability <= limits.maxLiabilityPerMarketMinor else {
            return .failure(BetRejection(
                .liabilityLimit,
                "the bet would raise the liability on \(market.id) to \(liability), above "
                    + "\(limits.maxLiabilityPerMarketMinor)"))
        }

        lastBetNumber = bet.number
        exposures[exposure] = liability
        writes.bets[bet.number] = bet
        writes.lastBetNumber = bet.number
        post(&account, .stake, -bet.stakeMinor, reference: bet.id, nowMicros, &writes)
        accounts[accountID] = account
        return .success(bet)
    }

    // MARK: Settlement

    /// Settles an open bet by `settlement`: its return credited (a payout, or a refund when
    /// void), its status set, its liability released. Returns the bet as it ends.
    mutating func settle(
        _ bet: Bet, by settlement: Settlement, nowMicros: Int64, writes: inout BetWrites
    ) -> Bet {
        guard bet.status == .open, var account = accounts[bet.accountID] else { return bet }
        var settled = bet
        let (status, returned) = settlement.result(of: bet)
        settled.status = status
        settled.returnedMinor = returned
        settled.settledAtMicros = nowMicros
        if returned > 0 {
            post(
                &account, status == .void ? .refund : .payout, returned, reference: bet.id,
                nowMicros, &writes)
            accounts[account.id] = account
        }
        release(bet, writes: &writes)
        writes.bets[bet.number] = settled
        return settled
    }

    /// Takes back what a settled bet returned (an adjustment entry of minus its return) and
    /// opens it again, ready for a corrected result. Returns the reopened bet.
    mutating func reopen(_ bet: Bet, nowMicros: Int64, writes: inout BetWrites) -> Bet {
        guard bet.status != .open, var account = accounts[bet.accountID] else { return bet }
        if bet.returnedMinor > 0 {
            post(&account, .adjustment, -bet.returnedMinor, reference: bet.id, nowMicros, &writes)
            accounts[account.id] = account
        }
        var reopened = bet
        reopened.status = .open
        reopened.returnedMinor = 0
        reopened.settledAtMicros = 0
        let exposure = Exposure(accountID: bet.accountID, marketID: bet.marketID)
        let liability = (exposures[exposure] ?? 0) + bet.liabilityMinor
        exposures[exposure] = liability
        writes.bets[bet.number] = reopened
        return reopened
    }

    private mutating func release(_ bet: Bet, writes: inout BetWrites) {
        let exposure = Exposure(accountID: bet.accountID, marketID: bet.marketID)
        let liability = max(0, (exposures[exposure] ?? 0) - bet.liabilityMinor)
        exposures[exposure] = liability == 0 ? nil : liability
    }

    // MARK: Accounts

    mutating func createAccount(
        id: String, limits: AccountLimits, nowMicros: Int64, writes: inout BetWrites
    ) throws(AdminRejection) -> Account {
        guard accounts[id] == nil else { throw .conflict("account \(id) already exists") }
        let account = Account(id: id, limits: limits, createdAtMicros: nowMicros)
        accounts[id] = account
        writes.accounts[id] = account
        return account
    }

    mutating func setLimits(
        id: String, _ limits: AccountLimits, writes: inout BetWrites
    ) throws(AdminRejection) -> Account {
        guard var account = accounts[id] else {
            throw .notFound("account \(id) does not exist")
        }
        account.limits = limits
        accounts[id] = account
        writes.accounts[id] = account
        return account
    }

    /// Deposits (positive) or withdraws (negative) money. A withdrawal never takes the
    /// balance below zero.
    mutating func transfer(
        id: String, kind: LedgerEntry.Kind, amountMinor: Int64, reference: String,
        nowMicros: Int64, writes: inout BetWrites
    ) throws(AdminRejection) -> LedgerEntry {
        guard var account = accounts[id] else {
            throw .notFound("account \(id) does not exist")
        }
        let (balance, overflow) = account.balanceMinor.addingReportingOverflow(amountMinor)
        guard !overflow, balance <= Self.maxBalanceMinor else {
            throw .conflict("the balance would pass \(Self.maxBalanceMinor)")
        }
        guard balance >= 0 else {
            throw .conflict(
                "account \(id) holds \(account.balanceMinor), less than \(-amountMinor)")
        }
        let entry = post(&account, kind, amountMinor, reference: reference, nowMicros, &writes)
        accounts[id] = account
        return entry
    }

    /// No balance may pass a trillion major units: far beyond any account, and far from
    /// overflowing the sums that checks add up.
    static let maxBalanceMinor: Int64 = 100_000_000_000_000

    @discardableResult
    private func post(
        _ account: inout Account, _ kind: LedgerEntry.Kind, _ amountMinor: Int64,
        reference: String, _ nowMicros: Int64, _ writes: inout BetWrites
    ) -> LedgerEntry {
        account.balanceMinor += amountMinor
        account.entries += 1
        let entry = LedgerEntry(
            accountID: account.id, number: account.entries, kind: kind,
            amountMinor: amountMinor, balanceAfterMinor: account.balanceMinor,
            reference: reference, atMicros: nowMicros)
        writes.ledger.append(entry)
        writes.accounts[account.id] = account
        return entry
    }

    private struct RateWindow {
        var second: Int64
        var count: Int
    }
}

/// A bet refused, with its stable reason and, for a price change, the price now.
struct BetRejection: Error, Sendable, Equatable {
    let reason: BetRejectionReason
    let message: String
    var currentPrice: Price?
    var marketVersion: UInt64?

    init(
        _ reason: BetRejectionReason, _ message: String, currentPrice: Price? = nil,
        marketVersion: UInt64? = nil
    ) {
        self.reason = reason
        self.message = message
        self.currentPrice = currentPrice
        self.marketVersion = marketVersion
    }
}

/// What one group commit stores besides the changes: accounts as they end up, new ledger
/// entries, new or changed bets, idempotency records and audit lines.
struct BetWrites {
    var accounts: [String: Account] = [:]
    var ledger: [LedgerEntry] = []
    var bets: [UInt64: Bet] = [:]
    var lastBetNumber: UInt64?
    var idempotency: [IdempotencyRecord] = []
    var audit: [[UInt8]] = []
    /// Market results to store, or to delete (nil).
    var settlements: [String: Settlement?] = [:]

    var isEmpty: Bool {
        accounts.isEmpty && ledger.isEmpty && bets.isEmpty && idempotency.isEmpty
            && audit.isEmpty && settlements.isEmpty
    }
}
