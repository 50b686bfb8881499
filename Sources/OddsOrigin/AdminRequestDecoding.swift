import JSON
import OddsModel

/// Turns admin API bodies into commands. Everything about the shape of a request is checked
/// here, so a refusal names the field at fault and nothing reaches the book half-checked.
enum AdminRequestDecoding {
    static let maxTextBytes = 200
    static let maxSelections = 100
    static let maxPricesPerBatch = 100_000

    static func putEvent(id: String, body: [UInt8]) throws(AdminRejection) -> AdminCommand {
        try checkID(id, what: "event id")
        return try decode(body) { (reader: inout JSONObjectReader) throws -> AdminCommand in
            let status = try reader.optionalString("status")
            return .putEvent(EventSpec(
                id: id, sport: try text(&reader, "sport"),
                competition: try text(&reader, "competition"), name: try text(&reader, "name"),
                startTimeMilliseconds: try time(&reader, "startTime"),
                status: try eventStatus(status ?? "scheduled")))
        }
    }

    static func patchEvent(id: String, body: [UInt8]) throws(AdminRejection) -> AdminCommand {
        try checkID(id, what: "event id")
        return try decode(body) { (reader: inout JSONObjectReader) throws -> AdminCommand in
            var patch = EventPatch()
            patch.sport = try optionalText(&reader, "sport")
            patch.competition = try optionalText(&reader, "competition")
            patch.name = try optionalText(&reader, "name")
            if reader.contains("startTime") {
                patch.startTimeMilliseconds = try time(&reader, "startTime")
            }
            patch.status = try reader.optionalString("status").map(eventStatus)
            return .patchEvent(id: id, patch)
        }
    }

    static func putMarket(id: String, body: [UInt8]) throws(AdminRejection) -> AdminCommand {
        try checkID(id, what: "market id")
        return try decode(body) { (reader: inout JSONObjectReader) throws -> AdminCommand in
            let eventID = try reader.string("event")
            try checkID(eventID, what: "event")
            let type = try text(&reader, "type")
            let name = try text(&reader, "name")
            let status = try marketStatus(try reader.string("status", default: "open"))
            let inPlay = try reader.bool("inPlay", default: false)
            let delay = Int(try reader.int("betDelayMs", default: 0, range: 0...60_000))
            let selections = try self.selections(reader.array("selections"))
            return .putMarket(MarketSpec(
                id: id, eventID: eventID, type: type, name: name, status: status,
                inPlay: inPlay, betDelayMilliseconds: delay, selections: selections))
        }
    }

    static func patchMarket(id: String, body: [UInt8]) throws(AdminRejection) -> AdminCommand {
        try checkID(id, what: "market id")
        return try decode(body) { (reader: inout JSONObjectReader) throws -> AdminCommand in
            var patch = MarketPatch()
            patch.name = try optionalText(&reader, "name")
            patch.status = try reader.optionalString("status").map(marketStatus)
            patch.inPlay = try reader.optionalBool("inPlay")
            patch.betDelayMilliseconds = try reader.optionalInt("betDelayMs", range: 0...60_000)
                .map { Int($0) }
            return .patchMarket(id: id, patch)
        }
    }

    static func setPrices(body: [UInt8]) throws(AdminRejection) -> AdminCommand {
        try decode(body) { (reader: inout JSONObjectReader) throws -> AdminCommand in
            let items = try reader.array("prices")
            guard !items.isEmpty else { throw AdminRejection.invalid("prices: empty batch") }
            guard items.count <= maxPricesPerBatch else {
                throw AdminRejection.invalid(
                    "prices: \(items.count) items, at most \(maxPricesPerBatch) in one batch")
            }
            var updates: [PriceUpdate] = []
            updates.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                var entry = try JSONObjectReader(item, elementOf: "prices", at: index)
                let market = try entry.string("market")
                let selection = try entry.string("selection")
                let price = try self.price(&entry, "price")
                try entry.finish()
                updates.append(PriceUpdate(marketID: market, selectionID: selection, price: price))
            }
            return .setPrices(updates)
        }
    }

    // MARK: Fields

    private static func decode(
        _ body: [UInt8], _ read: (inout JSONObjectReader) throws -> AdminCommand
    ) throws(AdminRejection) -> AdminCommand {
        do {
            let value = try JSONParser.parse(body)
            var reader = try JSONObjectReader(value, path: "")
            let command = try read(&reader)
            try reader.finish()
            return command
        } catch let rejection as AdminRejection {
            throw rejection
        } catch let error as JSONError {
            throw .invalid("body is not valid JSON: \(error)")
        } catch {
            throw .invalid("\(error)")
        }
    }

    private static func selections(_ items: [JSONValue]) throws -> [Selection] {
        guard !items.isEmpty, items.count <= maxSelections else {
            throw AdminRejection.invalid("selections: 1 to \(maxSelections) expected")
        }
        var selections: [Selection] = []
        for (index, item) in items.enumerated() {
            var reader = try JSONObjectReader(item, elementOf: "selections", at: index)
            let id = try reader.string("id")
            try checkID(id, what: "selections[\(index)].id")
            guard !selections.contains(where: { $0.id == id }) else {
                throw AdminRejection.invalid("selections[\(index)].id: \(id) appears twice")
            }
            let name = try text(&reader, "name")
            let price = try self.price(&reader, "price")
            let statusText = try reader.string("status", default: "active")
            guard let status = Selection.Status(rawValue: statusText) else {
                throw AdminRejection.invalid(
                    "selections[\(index)].status: unknown status \(statusText)")
            }
            try reader.finish()
            selections.append(Selection(id: id, name: name, price: price, status: status))
        }
        return selections
    }

    private static func price(_ reader: inout JSONObjectReader, _ key: String) throws -> Price {
        let text = try reader.numberText(key)
        do {
            return try Price(parsing: text)
        } catch {
            throw AdminRejection.invalid("\(reader.path(of: key)): \(error)")
        }
    }

    private static func text(_ reader: inout JSONObjectReader, _ key: String) throws -> String {
        let value = try reader.string(key)
        try checkText(value, field: "\(reader.path(of: key))")
        return value
    }

    private static func optionalText(_ reader: inout JSONObjectReader, _ key: String) throws
        -> String?
    {
        guard let value = try reader.optionalString(key) else { return nil }
        try checkText(value, field: "\(reader.path(of: key))")
        return value
    }

    private static func checkText(_ value: String, field: String) throws {
        guard !value.isEmpty, value.utf8.count <= maxTextBytes else {
            throw AdminRejection.invalid("\(field): 1 to \(maxTextBytes) bytes expected")
        }
    }

    private static func time(_ reader: inout JSONObjectReader, _ key: String) throws -> Int64 {
        let text = try reader.string(key)
        guard let milliseconds = Timestamp.parseISO8601(text) else {
            throw AdminRejection.invalid(
                "\(reader.path(of: key)): expected a UTC time like 2026-12-05T15:00:00Z")
        }
        return milliseconds
    }

    private static func checkID(_ id: String, what: String) throws(AdminRejection) {
        guard Identifier.isValid(id) else {
            throw .invalid(
                "\(what) \"\(id.prefix(70))\": 1 to \(Identifier.maxLength) characters from "
                    + "A-Z a-z 0-9 . _ - expected")
        }
    }

    private static func eventStatus(_ text: String) throws -> Event.Status {
        guard let status = Event.Status(rawValue: text) else {
            throw AdminRejection.invalid(
                "status: \(text) is not one of scheduled, in_play, ended")
        }
        return status
    }

    private static func marketStatus(_ text: String) throws -> Market.Status {
        guard let status = Market.Status(rawValue: text),
            status == .open || status == .suspended || status == .closed
        else {
            throw AdminRejection.invalid("status: \(text) is not one of open, suspended, closed")
        }
        return status
    }
}
