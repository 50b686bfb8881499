import OddsModel
import Service

extension ControlAction {
    /// What each command accepts, by the name `ControlUsage` knows it under.
    static let specs: [String: CommandSpec] = {
        let eventFields: Set<String> = [
            "--sport", "--competition", "--name", "--start", "--status",
        ]
        let list = [
            CommandSpec("status"),
            CommandSpec("events", valueFlags: ["--sport", "--status"]),
            CommandSpec("event show", positionals: ["ID"]),
            CommandSpec("event put", positionals: ["ID"], valueFlags: eventFields),
            CommandSpec("event update", positionals: ["ID"], valueFlags: eventFields),
            CommandSpec("markets", valueFlags: ["--event", "--status"]),
            CommandSpec("market show", positionals: ["ID"]),
            CommandSpec(
                "market put", positionals: ["ID"],
                valueFlags: ["--event", "--type", "--name", "--status", "--bet-delay-ms"],
                repeatableFlags: ["--selection"], switches: ["--in-play"]),
            CommandSpec(
                "market update", positionals: ["ID"],
                valueFlags: ["--name", "--status", "--in-play", "--bet-delay-ms"]),
            CommandSpec("price set", positionals: ["MARKET", "SELECTION", "PRICE"]),
            CommandSpec("price batch", positionals: ["FILE"]),
            CommandSpec("edges"),
        ] + MarketStatusChange.allCases.map {
            CommandSpec("market \($0.rawValue)", positionals: ["ID"])
        } + accountSpecs
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }()

    /// The longest a bet delay may be, in milliseconds, as the origin allows.
    static let maxBetDelayMilliseconds = 60_000

    /// Parses a command and its arguments, `words` starting at the command's name. Global
    /// flags among them go to `globals`.
    ///
    /// - Returns: the action, or nil when `--help` was among the words.
    /// - Throws: `UsageError` naming the unknown command, flag or bad value.
    static func parse(
        _ words: ArraySlice<String>, globals: inout GlobalFlags
    ) throws(UsageError) -> ControlAction? {
        var remaining = words
        guard let first = remaining.popFirst() else {
            throw ControlUsage.error("missing command", command: nil)
        }
        var name = first
        if ["event", "market", "price", "account", "token", "bet", "ledger"].contains(first) {
            // Global flags may sit between the two words: `oddsctl market --json show m1`.
            while let next = remaining.first, next.hasPrefix("-"), next != "-" {
                remaining.removeFirst()
                guard try globals.consume(next, from: &remaining) else {
                    throw ControlUsage.error("unknown flag \(next)", command: first)
                }
            }
            if globals.wantsHelp { return nil }
            guard let second = remaining.popFirst() else {
                throw ControlUsage.error("\(first) needs a subcommand", command: first)
            }
            name = "\(first) \(second)"
        }
        guard let spec = specs[name] else {
            let shown = TerminalText.sanitized(String(name.prefix(80)))
            let group = name == first ? nil : first
            throw ControlUsage.error("unknown command \"\(shown)\"", command: group)
        }
        let arguments = try CommandArguments.parse(remaining, spec: spec, globals: &globals)
        if globals.wantsHelp { return nil }
        do {
            return try build(name, arguments)
        } catch {
            throw ControlUsage.error(error.message, command: name)
        }
    }

    /// The action for the command `name` from its sorted arguments. Errors carry no hint.
    private static func build(
        _ name: String, _ arguments: CommandArguments
    ) throws(UsageError) -> ControlAction {
        let positionals = arguments.positionals
        if let action = try buildAccountAction(name, arguments) {
            return action
        }
        switch name {
        case "status":
            return .status
        case "edges":
            return .listEdges
        case "events":
            return .listEvents(
                sport: try text(arguments, "--sport"),
                status: try arguments.value("--status").map(eventStatus))
        case "markets":
            return .listMarkets(
                event: try arguments.value("--event").map { text throws(UsageError) in
                    try id(text, what: "event")
                },
                status: try arguments.value("--status").map(anyMarketStatus))
        case "event show":
            return .showEvent(id: try id(positionals[0], what: "event id"))
        case "market show":
            return .showMarket(id: try id(positionals[0], what: "market id"))
        case "event put", "event update":
            let eventID = try id(positionals[0], what: "event id")
            let fields = try eventFields(arguments)
            if name == "event update" {
                guard fields != EventFields() else { throw UsageError("nothing to update") }
                return .updateEvent(id: eventID, fields)
            }
            for (flag, value) in [
                ("--sport", fields.sport), ("--competition", fields.competition),
                ("--name", fields.name), ("--start", fields.startTime),
            ] where value == nil {
                throw UsageError("\(flag) is required")
            }
            return .putEvent(id: eventID, fields)
        case "market put":
            let marketID = try id(positionals[0], what: "market id")
            let fields = try marketFields(arguments)
            for (flag, value) in [
                ("--event", fields.event), ("--type", fields.type), ("--name", fields.name),
            ] where value == nil {
                throw UsageError("\(flag) is required")
            }
            guard !fields.selections.isEmpty else {
                throw UsageError("at least one --selection ID:NAME:PRICE is required")
            }
            var seen: Set<String> = []
            for selection in fields.selections where !seen.insert(selection.id).inserted {
                throw UsageError("--selection: id \(selection.id) is given twice")
            }
            return .putMarket(id: marketID, fields)
        case "market update":
            let fields = try marketFields(arguments)
            guard fields != MarketFields() else { throw UsageError("nothing to update") }
            return .updateMarket(id: try id(positionals[0], what: "market id"), fields)
        case "price set":
            let item = PriceItem(
                market: try id(positionals[0], what: "market"),
                selection: try id(positionals[1], what: "selection"),
                price: try price(positionals[2]))
            return .setPrices([item])
        case "price batch":
            return .setPricesFromFile(path: positionals[0])
        default:
            let word = name.split(separator: " ").last.map(String.init) ?? name
            guard let change = MarketStatusChange(rawValue: word) else {
                throw UsageError("unknown command \"\(name)\"")
            }
            return .changeMarketStatus(id: try id(positionals[0], what: "market id"), change)
        }
    }

    private static func eventFields(_ arguments: CommandArguments) throws(UsageError)
        -> EventFields
    {
        var fields = EventFields()
        fields.sport = try text(arguments, "--sport")
        fields.competition = try text(arguments, "--competition")
        fields.name = try text(arguments, "--name")
        fields.status = try arguments.value("--status").map(eventStatus)
        if let start = arguments.value("--start") {
            guard Timestamp.parseISO8601(start) != nil else {
                throw UsageError(
                    "--start \"\(TerminalText.sanitized(start))\": expected a UTC time like "
                        + "2026-12-05T15:00:00Z")
            }
            fields.startTime = start
        }
        return fields
    }

    private static func marketFields(_ arguments: CommandArguments) throws(UsageError)
        -> MarketFields
    {
        var fields = MarketFields()
        if let event = arguments.value("--event") {
            fields.event = try id(event, what: "event")
        }
        fields.type = try text(arguments, "--type")
        fields.name = try text(arguments, "--name")
        fields.status = try arguments.value("--status").map(settableMarketStatus)
        if arguments.isSet("--in-play") {
            fields.inPlay = true
        } else if let inPlay = arguments.value("--in-play") {
            guard inPlay == "true" || inPlay == "false" else {
                throw UsageError("--in-play: expected true or false")
            }
            fields.inPlay = inPlay == "true"
        }
        if let delay = arguments.value("--bet-delay-ms") {
            guard let milliseconds = Int(delay), milliseconds >= 0,
                milliseconds <= maxBetDelayMilliseconds
            else {
                throw UsageError(
                    "--bet-delay-ms: expected milliseconds from 0 to \(maxBetDelayMilliseconds)")
            }
            fields.betDelayMilliseconds = milliseconds
        }
        for selection in arguments.allValues("--selection") {
            fields.selections.append(try SelectionSpec.parse(selection))
        }
        return fields
    }

    private static func text(
        _ arguments: CommandArguments, _ flag: String
    ) throws(UsageError) -> String? {
        guard let value = arguments.value(flag) else { return nil }
        guard !value.isEmpty else { throw UsageError("\(flag) is empty") }
        return value
    }

    private static func id(_ text: String, what: String) throws(UsageError) -> String {
        guard Identifier.isValid(text) else {
            throw UsageError(IdentifierRule.describe(text, what: what))
        }
        return text
    }

    private static func price(_ text: String) throws(UsageError) -> Price {
        do {
            return try Price(parsing: text)
        } catch {
            throw UsageError("\(error)")
        }
    }

    private static func eventStatus(_ text: String) throws(UsageError) -> String {
        guard Event.Status(rawValue: text) != nil else {
            throw UsageError("--status \"\(TerminalText.sanitized(text))\": expected one of "
                + Event.Status.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return text
    }

    /// A status a market may be put in by hand.
    private static func settableMarketStatus(_ text: String) throws(UsageError) -> String {
        guard ["open", "suspended", "closed"].contains(text) else {
            throw UsageError("--status \"\(TerminalText.sanitized(text))\": expected one of "
                + "open, suspended, closed")
        }
        return text
    }

    /// Any status a market may be found in, for filters.
    private static func anyMarketStatus(_ text: String) throws(UsageError) -> String {
        guard Market.Status(rawValue: text) != nil else {
            throw UsageError("--status \"\(TerminalText.sanitized(text))\": expected one of "
                + Market.Status.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return text
    }
}
