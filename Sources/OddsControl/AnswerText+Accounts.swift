import JSON

extension AnswerText {
    /// An account's balance and limits.
    static func account(_ document: JSONValue) -> String {
        let limits = document[member: "limits"] ?? .null
        return TableRenderer.listing([
            ("id", document[display: "id"]),
            ("balance", document[display: "balance"]),
            ("min stake", limits[display: "minStake"]),
            ("max stake", limits[display: "maxStake"]),
            ("max liability per market", limits[display: "maxLiabilityPerMarket"]),
            ("bets per second", limits[display: "betsPerSecond"]),
            ("ledger entries", document[display: "ledgerEntries"]),
            ("created", document[display: "createdAt"]),
        ])
    }

    /// `entry 3: deposit 5000, balance 12000` for a transfer's ledger entry; empty without.
    static func entry(_ entry: JSONValue?) -> String {
        guard let entry, entry != .null else { return "" }
        return TerminalText.sanitized(
            "entry \(entry[display: "number"]): \(entry[display: "kind"]) "
                + "\(entry[display: "amount"]), balance \(entry[display: "balanceAfter"])") + "\n"
    }

    static func ledgerTable(_ entries: [JSONValue]) -> String {
        guard !entries.isEmpty else { return "no ledger entries\n" }
        let table = TableRenderer([
            .init("NUMBER", .right), .init("KIND"), .init("AMOUNT", .right),
            .init("BALANCE", .right), .init("REFERENCE"), .init("AT"),
        ])
        return table.render(entries.map { entry in
            ["number", "kind", "amount", "balanceAfter", "reference", "at"]
                .map { entry[display: $0] }
        })
    }

    static func betTable(_ bets: [JSONValue]) -> String {
        guard !bets.isEmpty else { return "no bets\n" }
        let table = TableRenderer([
            .init("ID"), .init("MARKET"), .init("SELECTION"), .init("PRICE", .right),
            .init("STAKE", .right), .init("PAYOUT", .right), .init("STATUS"),
            .init("RETURNED", .right), .init("PLACED"),
        ])
        return table.render(bets.map { bet in
            [
                "id", "market", "selection", "price", "stake", "potentialPayout", "status",
                "returned", "placedAt",
            ].map { bet[display: $0] }
        })
    }

    static func bet(_ document: JSONValue) -> String {
        TableRenderer.listing([
            ("id", document[display: "id"]),
            ("account", document[display: "account"]),
            ("market", document[display: "market"]),
            ("selection", document[display: "selection"]),
            ("price", document[display: "price"]),
            ("stake", document[display: "stake"]),
            ("potential payout", document[display: "potentialPayout"]),
            ("status", document[display: "status"]),
            ("returned", document[display: "returned"]),
            ("placed", document[display: "placedAt"]),
        ])
    }

    /// The token alone on its first line, so `oddsctl token issue ... | head -1` gives it.
    static func token(_ document: JSONValue) -> String {
        TerminalText.sanitized(document[display: "token"]) + "\n"
            + TerminalText.sanitized(
                "account \(document[display: "account"]), key \(document[display: "keyId"]), "
                    + "expires \(document[display: "expiresAt"])") + "\n"
    }
}

extension AnswerText {
    /// `market m1 settled: home 1/1; 12 bets changed`, or `... unchanged`.
    static func settlement(
        id: String, resettled: Bool, _ document: JSONValue, bet: Bool = false
    ) -> String {
        let changed = document[member: "bets"]?.arrayValue ?? []
        if document[member: "unchanged"]?.boolValue == true {
            return TerminalText.sanitized("\(bet ? "bet" : "market") \(id) unchanged") + "\n"
        }
        if bet {
            return TerminalText.sanitized("bet \(id) voided") + "\n"
        }
        var result = "-"
        if let outcome = document[member: "result"] {
            if outcome[member: "void"]?.boolValue == true {
                result = "void"
            } else {
                result = (outcome[member: "winners"]?.arrayValue ?? []).map {
                    "\($0[display: "selection"]) \($0[display: "deadHeat"])"
                }.joined(separator: ", ")
            }
        }
        let verb = resettled ? "resettled" : "settled"
        return TerminalText.sanitized(
            "market \(id) \(verb): \(result); \(changed.count) bet"
                + "\(changed.count == 1 ? "" : "s") changed") + "\n"
    }

    /// `ledger ok: 3 accounts, 12 entries, 5 bets, 1 settled market`, then any problems.
    static func ledgerCheck(_ document: JSONValue) -> String {
        let ok = document[member: "ok"]?.boolValue == true
        var text = "ledger \(ok ? "ok" : "NOT OK"): \(document[display: "accounts"]) accounts, "
            + "\(document[display: "entries"]) entries, \(document[display: "bets"]) bets, "
            + "\(document[display: "settledMarkets"]) settled markets"
        if !ok {
            text += ", \(document[display: "problemCount"]) problems"
        }
        var lines = [TerminalText.sanitized(text)]
        for problem in document[member: "problems"]?.arrayValue ?? [] {
            lines.append(TerminalText.sanitized("  " + (problem.stringValue ?? "-")))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
