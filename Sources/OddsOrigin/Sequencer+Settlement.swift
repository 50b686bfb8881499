import OddsModel
import Telemetry

/// An operator's settlement of a market or a bet.
enum SettlementCommand: Sendable {
    /// Settles a market that has no result yet; the same result again changes nothing.
    case settle(marketID: String, Settlement.Outcome)
    /// Takes back a market's result and applies the corrected one.
    case resettle(marketID: String, Settlement.Outcome)
    /// Voids one bet, whatever state it is in.
    case voidBet(id: String)
}

/// What a settlement did.
struct SettlementOutcome: Sendable {
    var marketID: String
    var settlement: Settlement?
    /// The bets whose state changed.
    var bets: [Bet]
    /// Whether the command changed nothing (the same result given again).
    var unchanged = false
}

extension SequencerState {
    func apply(_ command: SettlementCommand, _ group: inout CommitGroup)
        -> Result<SettlementOutcome, AdminRejection>
    {
        do throws(AdminRejection) {
            switch command {
            case .settle(let marketID, let outcome):
                return .success(try settle(marketID, outcome, resettling: false, &group))
            case .resettle(let marketID, let outcome):
                return .success(try settle(marketID, outcome, resettling: true, &group))
            case .voidBet(let id):
                return .success(try voidBet(id, &group))
            }
        } catch {
            metrics.commandsRefused.increment()
            return .failure(error)
        }
    }

    private func settle(
        _ marketID: String, _ outcome: Settlement.Outcome, resettling: Bool,
        _ group: inout CommitGroup
    ) throws(AdminRejection) -> SettlementOutcome {
        guard let market = book.markets[marketID] else {
            throw .notFound("market \(marketID) does not exist")
        }
        try check(outcome, against: market)
        let previous = try storedSettlement(marketID, group)
        if market.status.isFinal, !resettling {
            guard previous?.outcome == outcome else {
                throw .conflict(
                    "market \(marketID) is already \(market.status.rawValue) with another "
                        + "result; resettle it to change the result")
            }
            return SettlementOutcome(
                marketID: marketID, settlement: previous, bets: [], unchanged: true)
        }
        if resettling, !market.status.isFinal {
            throw .conflict("market \(marketID) is \(market.status.rawValue), not settled yet")
        }

        let settlement = Settlement(
            marketID: marketID, outcome: outcome, settledAtMicros: group.nowMicros)
        var changed: [Bet] = []
        for bet in try betsOn(marketID, group) where !bet.voidedAlone {
            var current = bet
            if resettling, current.status != .open {
                current = bets.reopen(current, nowMicros: group.nowMicros, writes: &group.writes)
            }
            let settled = bets.settle(
                current, by: settlement, nowMicros: group.nowMicros, writes: &group.writes)
            if settled != bet { changed.append(settled) }
        }
        group.writes.settlements[marketID] = settlement
        group.changes += try book.finish(
            marketID: marketID, as: outcome == .void ? .voided : .settled,
            nextSequence: position.sequence + UInt64(group.changes.count) + 1,
            publishedAtMicros: group.nowMicros)
        logger.info(resettling ? "market.resettled" : "market.settled", [
            "market.id": .string(marketID), "bets": .int(Int64(changed.count)),
            "result": .string(Self.describe(outcome)),
        ])
        return SettlementOutcome(marketID: marketID, settlement: settlement, bets: changed)
    }

    private func voidBet(_ id: String, _ group: inout CommitGroup) throws(AdminRejection)
        -> SettlementOutcome
    {
        guard let number = Bet.number(fromID: id), let bet = try storedBet(number, group) else {
            throw .notFound("bet \(id) does not exist")
        }
        guard !(bet.status == .void && bet.voidedAlone) else {
            return SettlementOutcome(marketID: bet.marketID, bets: [], unchanged: true)
        }
        var current = bet
        if current.status != .open {
            current = bets.reopen(current, nowMicros: group.nowMicros, writes: &group.writes)
        }
        let void = Settlement(
            marketID: bet.marketID, outcome: .void, settledAtMicros: group.nowMicros)
        var voided = bets.settle(
            current, by: void, nowMicros: group.nowMicros, writes: &group.writes)
        voided.voidedAlone = true
        group.writes.bets[voided.number] = voided
        logger.info("bet.voided", ["bet.id": .string(id)])
        return SettlementOutcome(marketID: bet.marketID, bets: [voided])
    }

    private func check(_ outcome: Settlement.Outcome, against market: Market)
        throws(AdminRejection)
    {
        guard case .winners(let winners) = outcome else { return }
        guard !winners.isEmpty else {
            throw .invalid("winners: at least one, or void the market instead")
        }
        var seen: Set<String> = []
        for winner in winners {
            guard market.selectionIndex(winner.selectionID) != nil else {
                throw .notFound(
                    "market \(market.id) has no selection \(winner.selectionID)")
            }
            guard seen.insert(winner.selectionID).inserted else {
                throw .invalid("winners: \(winner.selectionID) is named twice")
            }
        }
    }

    /// The market's bets as they stand in this group: stored ones, updated by this group's
    /// writes, and those placed earlier in this group.
    private func betsOn(_ marketID: String, _ group: CommitGroup) throws(AdminRejection)
        -> [Bet]
    {
        var found: [UInt64: Bet] = [:]
        do {
            try store.environment.read { txn in
                for bet in try store.money.bets(ofMarket: marketID, txn) {
                    found[bet.number] = bet
                }
            }
        } catch {
            throw AdminRejection(
                kind: .unavailable, message: "the store could not be read: \(error)")
        }
        for (number, bet) in group.writes.bets where bet.marketID == marketID {
            found[number] = bet
        }
        return found.keys.sorted().compactMap { found[$0] }
    }

    private func storedBet(_ number: UInt64, _ group: CommitGroup) throws(AdminRejection) -> Bet? {
        if let bet = group.writes.bets[number] { return bet }
        do {
            return try store.environment.read { try store.money.bet(number, $0) }
        } catch {
            throw AdminRejection(
                kind: .unavailable, message: "the store could not be read: \(error)")
        }
    }

    private func storedSettlement(_ marketID: String, _ group: CommitGroup)
        throws(AdminRejection) -> Settlement?
    {
        if let pending = group.writes.settlements[marketID] { return pending }
        do {
            return try store.environment.read {
                try store.money.settlement(ofMarket: marketID, $0)
            }
        } catch {
            throw AdminRejection(
                kind: .unavailable, message: "the store could not be read: \(error)")
        }
    }

    static func describe(_ outcome: Settlement.Outcome) -> String {
        switch outcome {
        case .void: return "void"
        case .winners(let winners):
            return winners.map { "\($0.selectionID) \($0.shareText)" }.joined(separator: ", ")
        }
    }
}
