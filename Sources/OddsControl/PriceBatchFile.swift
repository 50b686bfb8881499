import JSON
import OddsModel
import Service

/// The text of a price batch file, in one of three forms:
///
/// - the admin API's own document, `{"prices":[{"market","selection","price"}, ...]}`;
/// - a JSON array of such items;
/// - lines of `MARKET SELECTION PRICE`, separated by spaces or tabs, where `#` starts a
///   comment and blank lines are skipped.
///
/// A price may be a JSON string (`"2.50"`) or number (`2.50`); either way its text is read
/// exactly, never through floating point.
public enum PriceBatchFile {
    /// Parses and checks every item of `text`: ids well formed, prices that `Price(parsing:)`
    /// accepts.
    ///
    /// - Returns: the items in file order; never empty.
    /// - Throws: `UsageError` naming the first fault by line (`line 7: ...`) or, in JSON, by
    ///   the item's path (`prices[3].price: ...`).
    public static func parse(text: String) throws(UsageError) -> [PriceItem] {
        let bytes = Array(text.utf8)
        let start = bytes.firstIndex { !isWhitespace($0) && $0 != UInt8(ascii: "\n") }
        let items: [PriceItem]
        if let start, bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "[") {
            items = try parseJSON(bytes)
        } else {
            items = try parseLines(bytes)
        }
        guard !items.isEmpty else { throw UsageError("the batch holds no prices") }
        return items
    }

    private static func parseJSON(_ bytes: [UInt8]) throws(UsageError) -> [PriceItem] {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            let newlines = bytes.prefix(error.offset).lazy.filter { $0 == UInt8(ascii: "\n") }
            let line = newlines.count + 1
            throw UsageError("line \(line): not valid JSON: \(error.message)")
        }
        do {
            let elements: [JSONValue]
            let path: String
            if case .array(let array) = document {
                (elements, path) = (array, "")
            } else {
                var root = try JSONObjectReader(document, path: "")
                (elements, path) = (try root.array("prices"), "prices")
                try root.finish()
            }
            var items: [PriceItem] = []
            items.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                var entry = try JSONObjectReader(element, elementOf: path, at: index)
                let market = try entry.string("market")
                let selection = try entry.string("selection")
                let price: String
                switch try entry.value("price") {
                case .string(let text), .number(let text):
                    price = text
                default:
                    throw UsageError("\(entry.path(of: "price")): expected a price like \"2.50\"")
                }
                try entry.finish()
                items.append(try item(market, selection, price) { entry.path(of: $0) })
            }
            return items
        } catch let error as JSONFieldError {
            throw UsageError(TerminalText.sanitized("\(error)"))
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError("\(error)")
        }
    }

    private static func parseLines(_ bytes: [UInt8]) throws(UsageError) -> [PriceItem] {
        var items: [PriceItem] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let content = line.prefix { $0 != UInt8(ascii: "#") }
            let fields = content.split(whereSeparator: isWhitespace)
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                throw UsageError(
                    "line \(lineNumber): expected MARKET SELECTION PRICE, found "
                        + "\(fields.count) field\(fields.count == 1 ? "" : "s")")
            }
            let text = fields.map { String(decoding: $0, as: UTF8.self) }
            items.append(try item(text[0], text[1], text[2]) { _ in "line \(lineNumber)" })
        }
        return items
    }

    /// One checked item; `place` names where a field stands in the file, for the message.
    private static func item(
        _ market: String, _ selection: String, _ priceText: String,
        place: (String) -> String
    ) throws(UsageError) -> PriceItem {
        guard Identifier.isValid(market) else {
            throw UsageError(
                "\(place("market")): " + IdentifierRule.describe(market, what: "market"))
        }
        guard Identifier.isValid(selection) else {
            throw UsageError("\(place("selection")): "
                + IdentifierRule.describe(selection, what: "selection"))
        }
        do {
            return PriceItem(
                market: market, selection: selection, price: try Price(parsing: priceText))
        } catch {
            throw UsageError(TerminalText.sanitized("\(place("price")): \(error)"))
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }
}
