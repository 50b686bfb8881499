import OddsModel

/// One item of a price batch: a selection of a market and its new price.
public struct PriceItem: Sendable, Equatable {
    public var market: String
    public var selection: String
    public var price: Price

    public init(market: String, selection: String, price: Price) {
        self.market = market
        self.selection = selection
        self.price = price
    }
}
