import JSON

extension AnswerText {
    /// A table of events: id, sport, competition, name, start, status, version.
    static func eventTable(_ events: [JSONValue]) -> String {
        guard !events.isEmpty else { return "no events\n" }
        let table = TableRenderer([
            .init("ID"), .init("SPORT"), .init("COMPETITION"), .init("NAME"), .init("START"),
            .init("STATUS"), .init("VERSION", .right),
        ])
        return table.render(events.map { event in
            ["id", "sport", "competition", "name", "startTime", "status", "version"]
                .map { event[display: $0] }
        })
    }

    /// A table of markets, with the selections compactly: `home 2.10 | draw 3.40`.
    static func marketTable(_ markets: [JSONValue]) -> String {
        guard !markets.isEmpty else { return "no markets\n" }
        let table = TableRenderer([
            .init("ID"), .init("EVENT"), .init("TYPE"), .init("STATUS"), .init("IN-PLAY"),
            .init("VERSION", .right), .init("SELECTIONS"),
        ])
        return table.render(markets.map { market in
            ["id", "event", "type", "status", "inPlay", "version"].map { market[display: $0] }
                + [compactSelections(market[member: "selections"]?.arrayValue ?? [])]
        })
    }

    /// A table of every edge in the tree (fed by the origin or by another edge), with its
    /// tier, its parent and how far behind it is.
    static func edgeTable(_ edges: [JSONValue]) -> String {
        guard !edges.isEmpty else { return "no edges\n" }
        let table = TableRenderer([
            .init("ID"), .init("TIER", .right), .init("PARENT"), .init("ADDRESS"),
            .init("CONNECTED"), .init("EPOCH"),
            .init("APPLIED", .right), .init("LAG", .right), .init("LAG MS", .right),
            .init("SINCE"), .init("DIGEST"),
        ])
        return table.render(edges.map { edge in
            [
                "id", "tier", "parent", "address", "connected", "epoch", "appliedSequence",
                "lagChanges", "lagMs", "connectedSince", "digest",
            ].map { edge[display: $0] }
        })
    }

    /// `home 2.10 | draw 3.40 (suspended) | away 3.75`: each selection's id and decimal
    /// price, with its status when it is not active.
    static func compactSelections(_ selections: [JSONValue]) -> String {
        selections.map { selection in
            let price = (selection[member: "price"] ?? .null)[display: "decimal"]
            let status = selection[display: "status"]
            let text = "\(selection[display: "id"]) \(price)"
            return status == "active" || status == "-" ? text : "\(text) (\(status))"
        }.joined(separator: " | ")
    }
}
