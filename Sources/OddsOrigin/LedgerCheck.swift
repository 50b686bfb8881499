import JSON
import OddsModel
import Store

/// Proves the money adds up, from one consistent read of the store: every account's balance
/// is the sum of its ledger entries, numbered from 1 without gaps; every bet's entries add up
/// to what it returned less its stake; and every bet on a settled market returned exactly
/// what the market's result says.
struct LedgerCheck {
    var accounts = 0
    var entries = 0
    var bets = 0
    var settledMarkets = 0
    var problems: [String] = []

    var isClean: Bool { problems.isEmpty }

    /// The most problems listed; the count says how many there were.
    static let maxListedProblems = 100
    private var problemCount = 0

    static func run(_ money: MoneyTables, _ txn: borrowing ReadTransaction) throws -> LedgerCheck {
        var check = LedgerCheck()
        var betNet: [String: Int64] = [:]
        try txn.forEach(money.accounts) { _, value in
            let account = try Account(wireBytes: value)
            check.accounts += 1
            var sum: Int64 = 0
            var expected: UInt64 = 1
            for entry in try money.ledger(
                ofAccount: account.id, from: 1, limit: Int.max, txn)
            {
                check.entries += 1
                if entry.number != expected {
                    check.report("account \(account.id): entry \(entry.number) where \(expected) "
                        + "was due")
                }
                expected = entry.number + 1
                sum += entry.amountMinor
                if entry.balanceAfterMinor != sum {
                    check.report("account \(account.id): entry \(entry.number) says balance "
                        + "\(entry.balanceAfterMinor), the entries add up to \(sum)")
                }
                if entry.kind == .stake || entry.kind == .payout || entry.kind == .refund
                    || (entry.kind == .adjustment && Bet.number(fromID: entry.reference) != nil)
                {
                    betNet[entry.reference, default: 0] += entry.amountMinor
                }
            }
            if sum != account.balanceMinor {
                check.report("account \(account.id): balance \(account.balanceMinor), entries "
                    + "add up to \(sum)")
            }
            if expected - 1 != account.entries {
                check.report("account \(account.id): \(account.entries) entries counted, "
                    + "\(expected - 1) found")
            }
            return true
        }
        var settlements: [String: Settlement] = [:]
        try txn.forEach(money.settlements) { _, value in
            let settlement = try Settlement(wireBytes: value)
            settlements[settlement.marketID] = settlement
            return true
        }
        check.settledMarkets = settlements.count
        try txn.forEach(money.bets) { _, value in
            let bet = try Bet(wireBytes: value)
            check.bets += 1
            let net = betNet[bet.id] ?? 0
            if net != bet.returnedMinor - bet.stakeMinor {
                check.report("bet \(bet.id): its entries add up to \(net), it returned "
                    + "\(bet.returnedMinor) on a stake of \(bet.stakeMinor)")
            }
            if bet.voidedAlone {
                if bet.returnedMinor != bet.stakeMinor {
                    check.report("bet \(bet.id): voided but returned \(bet.returnedMinor)")
                }
            } else if let settlement = settlements[bet.marketID] {
                let due = settlement.result(of: bet)
                if bet.status != due.status || bet.returnedMinor != due.returnedMinor {
                    check.report("bet \(bet.id): \(bet.status.rawValue) returning "
                        + "\(bet.returnedMinor), the result says \(due.status.rawValue) "
                        + "returning \(due.returnedMinor)")
                }
            } else if bet.status != .open {
                check.report("bet \(bet.id): \(bet.status.rawValue) on an unsettled market")
            }
            return true
        }
        return check
    }

    private mutating func report(_ problem: String) {
        problemCount += 1
        if problems.count < Self.maxListedProblems {
            problems.append(problem)
        }
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("ok")
        writer.bool(isClean)
        writer.key("accounts")
        writer.int(Int64(accounts))
        writer.key("entries")
        writer.int(Int64(entries))
        writer.key("bets")
        writer.int(Int64(bets))
        writer.key("settledMarkets")
        writer.int(Int64(settledMarkets))
        writer.key("problemCount")
        writer.int(Int64(problemCount))
        writer.key("problems")
        writer.beginArray()
        for problem in problems {
            writer.string(problem)
        }
        writer.endArray()
        writer.endObject()
    }
}
