import JSON

/// What oddsctl prints for the origin's answers when `--json` is not given: `key: value`
/// listings for single objects, one-line confirmations for changes. Lists are in
/// `AnswerText+Tables.swift`. Every function returns newline-terminated text and never fails:
/// a field the origin left out shows as `-`.
enum AnswerText {
    /// The origin's position in its history and the size of its book.
    static func status(_ document: JSONValue) -> String {
        TableRenderer.listing([
            ("epoch", document[display: "epoch"]),
            ("sequence", document[display: "sequence"]),
            ("log first sequence", document[display: "logFirstSequence"]),
            ("events", document[display: "events"]),
            ("markets", document[display: "markets"]),
            ("digest", document[display: "digest"]),
        ])
    }

    /// An event's fields, then a table of its markets when it has any.
    static func event(_ document: JSONValue) -> String {
        var text = TableRenderer.listing([
            ("id", document[display: "id"]),
            ("sport", document[display: "sport"]),
            ("competition", document[display: "competition"]),
            ("name", document[display: "name"]),
            ("start", document[display: "startTime"]),
            ("status", document[display: "status"]),
            ("version", document[display: "version"]),
        ])
        if let markets = document[member: "markets"]?.arrayValue, !markets.isEmpty {
            text += "\n" + marketTable(markets)
        }
        return text
    }

    /// A market's fields, then a table of its selections.
    static func market(_ document: JSONValue) -> String {
        var text = TableRenderer.listing([
            ("id", document[display: "id"]),
            ("event", document[display: "event"]),
            ("type", document[display: "type"]),
            ("name", document[display: "name"]),
            ("status", document[display: "status"]),
            ("in play", document[display: "inPlay"]),
            ("bet delay ms", document[display: "betDelayMs"]),
            ("version", document[display: "version"]),
        ])
        let selections = document[member: "selections"]?.arrayValue ?? []
        let table = TableRenderer([
            .init("SELECTION"), .init("NAME"), .init("STATUS"), .init("DECIMAL", .right),
            .init("FRACTIONAL", .right), .init("AMERICAN", .right),
        ])
        text += "\n" + table.render(selections.map { selection in
            let price = selection[member: "price"] ?? .null
            return [
                selection[display: "id"], selection[display: "name"],
                selection[display: "status"], price[display: "decimal"],
                price[display: "fractional"], price[display: "american"],
            ]
        })
        return text
    }

    /// `market m1 suspended (version 42, sequence 1234)`, or `market m1 unchanged` when the
    /// origin had nothing to change.
    static func confirmation(
        _ kind: String, id: String, _ verb: String, _ document: JSONValue, sequence: String?
    ) -> String {
        if document[member: "unchanged"]?.boolValue == true {
            return "\(kind) \(id) unchanged\n"
        }
        var facts = ["version \(document[display: "version"])"]
        if let sequence {
            facts.append("sequence \(sequence)")
        }
        return TerminalText.sanitized(
            "\(kind) \(id) \(verb) (\(facts.joined(separator: ", ")))") + "\n"
    }

    /// The outcome of a price batch sent as `requests` requests.
    static func prices(
        items: Int, requests: Int, marketsChanged: Int, last document: JSONValue
    ) -> String {
        var text = "prices set: \(items) item\(items == 1 ? "" : "s")"
        if requests > 1 {
            text += " in \(requests) requests"
        }
        text += ", \(marketsChanged) market\(marketsChanged == 1 ? "" : "s") changed"
        text += ", sequence \(document[display: "sequence"])"
        text += " (epoch \(document[display: "epoch"]))"
        return TerminalText.sanitized(text) + "\n"
    }
}
