import OddsModel
import Service

/// Limits of an account as flags give them; nil is "not given". Amounts in minor units.
public struct AccountLimitFields: Sendable, Equatable {
    public var minStake: Int64?
    public var maxStake: Int64?
    public var maxLiabilityPerMarket: Int64?
    public var betsPerSecond: Int64?

    public init() {}
}

extension ControlAction {
    static let accountLimitFlags: Set<String> = [
        "--min-stake", "--max-stake", "--max-liability", "--bets-per-second",
    ]

    static let accountSpecs = [
        CommandSpec("account create", positionals: ["ID"], valueFlags: accountLimitFlags),
        CommandSpec("account show", positionals: ["ID"]),
        CommandSpec("account deposit", positionals: ["ID", "AMOUNT"], valueFlags: ["--reference"]),
        CommandSpec(
            "account withdraw", positionals: ["ID", "AMOUNT"], valueFlags: ["--reference"]),
        CommandSpec("account limits", positionals: ["ID"], valueFlags: accountLimitFlags),
        CommandSpec("account ledger", positionals: ["ID"]),
        CommandSpec("account bets", positionals: ["ID"]),
        CommandSpec("token issue", valueFlags: ["--account", "--ttl"]),
        CommandSpec("bet show", positionals: ["ID"]),
        CommandSpec("bet void", positionals: ["ID"]),
        CommandSpec(
            "market settle", positionals: ["ID"], repeatableFlags: ["--winner"],
            switches: ["--void"]),
        CommandSpec(
            "market resettle", positionals: ["ID"], repeatableFlags: ["--winner"],
            switches: ["--void"]),
        CommandSpec("ledger check"),
    ]

    /// The actions on accounts, tokens and bets; nil when `name` is none of them.
    static func buildAccountAction(
        _ name: String, _ arguments: CommandArguments
    ) throws(UsageError) -> ControlAction? {
        let positionals = arguments.positionals
        switch name {
        case "account create":
            return .createAccount(id: try accountID(positionals[0]), try limits(arguments))
        case "account show":
            return .showAccount(id: try accountID(positionals[0]))
        case "account deposit", "account withdraw":
            let reference = arguments.value("--reference")
            if let reference, reference.isEmpty || reference.utf8.count > 200 {
                throw UsageError("--reference: 1 to 200 bytes expected")
            }
            return .transfer(
                id: try accountID(positionals[0]), deposit: name == "account deposit",
                amount: try amount(positionals[1], "AMOUNT"), reference: reference)
        case "account limits":
            let fields = try limits(arguments)
            guard fields != AccountLimitFields() else {
                throw UsageError("nothing to change: give at least one limit")
            }
            return .setAccountLimits(id: try accountID(positionals[0]), fields)
        case "account ledger":
            return .showLedger(id: try accountID(positionals[0]))
        case "account bets":
            return .listAccountBets(id: try accountID(positionals[0]))
        case "token issue":
            guard let account = arguments.value("--account") else {
                throw UsageError("--account is required")
            }
            let ttl = try arguments.value("--ttl").map(duration) ?? 86_400
            return .issueToken(account: try accountID(account), ttlSeconds: ttl)
        case "bet show", "bet void":
            let id = positionals[0]
            guard Bet.number(fromID: id) != nil else {
                throw UsageError(
                    "bet id \"\(TerminalText.sanitized(id))\": expected b and a number")
            }
            return name == "bet show" ? .showBet(id: id) : .voidBet(id: id)
        case "market settle", "market resettle":
            let marketID = try accountID(positionals[0], what: "market id")
            let winners = try arguments.allValues("--winner").map { text throws(UsageError) in
                try winner(text)
            }
            let void = arguments.isSet("--void")
            guard winners.isEmpty != !void else {
                throw UsageError("give --winner SELECTION (one or more) or --void")
            }
            return .settleMarket(
                id: marketID, winners: winners, void: void, resettle: name == "market resettle")
        case "ledger check":
            return .checkLedger
        default:
            return nil
        }
    }

    private static func accountID(_ text: String, what: String = "account id")
        throws(UsageError) -> String
    {
        guard Identifier.isValid(text) else {
            throw UsageError(IdentifierRule.describe(text, what: what))
        }
        return text
    }

    /// `home` or `home:1/2`.
    private static func winner(_ text: String) throws(UsageError) -> WinnerSpec {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        let selection = try accountID(parts.first ?? "", what: "--winner selection")
        guard parts.count == 2 else { return WinnerSpec(selection: selection) }
        guard Settlement.Winner.share(parsing: parts[1]) != nil else {
            throw UsageError(
                "--winner \"\(TerminalText.sanitized(text))\": the dead-heat share is N/D with "
                    + "0 < N <= D, like home:1/2")
        }
        return WinnerSpec(selection: selection, share: parts[1])
    }

    /// A whole number of minor units (cents), above zero.
    private static func amount(_ text: String, _ what: String) throws(UsageError) -> Int64 {
        guard let value = Int64(text), value > 0 else {
            throw UsageError(
                "\(what) \"\(TerminalText.sanitized(text))\": expected a whole number of minor "
                    + "units above 0 (1050 is 10.50)")
        }
        return value
    }

    private static func limits(_ arguments: CommandArguments) throws(UsageError)
        -> AccountLimitFields
    {
        var fields = AccountLimitFields()
        fields.minStake = try arguments.value("--min-stake").map { text throws(UsageError) in
            try amount(text, "--min-stake")
        }
        fields.maxStake = try arguments.value("--max-stake").map { text throws(UsageError) in
            try amount(text, "--max-stake")
        }
        fields.maxLiabilityPerMarket = try arguments.value("--max-liability").map {
            text throws(UsageError) in try amount(text, "--max-liability")
        }
        fields.betsPerSecond = try arguments.value("--bets-per-second").map {
            text throws(UsageError) in try amount(text, "--bets-per-second")
        }
        return fields
    }

    /// `90s`, `30m`, `24h`, `7d` or plain seconds.
    static func duration(_ text: String) throws(UsageError) -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last, let unit = units[last] {
            digits = digits.dropLast()
            scale = unit
        }
        guard let count = Int64(digits), count > 0, count <= 366 * 86_400 / scale else {
            throw UsageError(
                "--ttl \"\(TerminalText.sanitized(text))\": expected a duration like 90s, 30m, "
                    + "24h or 7d")
        }
        return count * scale
    }
}
