import OddsModel
import Service

/// A selection of `market put`, from `--selection ID:NAME:PRICE`.
public struct SelectionSpec: Sendable, Equatable {
    public var id: String
    public var name: String
    public var price: Price

    public init(id: String, name: String, price: Price) {
        self.id = id
        self.name = name
        self.price = price
    }

    /// Parses `ID:NAME:PRICE`, split at the first and the last colon so that the name may
    /// hold colons (`home:Arsenal: the Gunners:2.10`).
    ///
    /// - Throws: `UsageError` (without a usage hint) when a part is missing, the id is not a
    ///   valid id, the name is empty or the price does not parse.
    public static func parse(_ text: String) throws(UsageError) -> SelectionSpec {
        guard let first = text.firstIndex(of: ":"), let last = text.lastIndex(of: ":"),
            first != last
        else {
            throw UsageError("--selection \"\(text)\": expected ID:NAME:PRICE")
        }
        let id = String(text[..<first])
        let name = String(text[text.index(after: first)..<last])
        let priceText = text[text.index(after: last)...]
        guard Identifier.isValid(id) else {
            throw UsageError("--selection \"\(text)\": \(IdentifierRule.describe(id))")
        }
        guard !name.isEmpty else {
            throw UsageError("--selection \"\(text)\": the name is empty")
        }
        do {
            return SelectionSpec(id: id, name: name, price: try Price(parsing: priceText))
        } catch {
            throw UsageError("--selection \"\(text)\": \(error)")
        }
    }
}
