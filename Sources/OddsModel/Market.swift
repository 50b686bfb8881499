/// A market on an event (match odds, over/under 2.5 goals) with its selections and prices.
public struct Market: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case open
        case suspended
        case closed
        case settled
        case voided

        /// Whether the market can still change status; settled and voided markets are final
        /// until a resettlement.
        public var isFinal: Bool {
            self == .settled || self == .voided
        }
    }

    public var id: String
    public var eventID: String
    /// What is being bet on, in the feed's words: `match_odds`, `over_under_2_5`.
    public var type: String
    public var name: String
    public var status: Status
    public var inPlay: Bool
    /// How long an in-play bet waits before it is decided, in milliseconds.
    public var betDelayMilliseconds: Int
    public var selections: [Selection]
    /// The sequence number of the change that last touched this market: it only rises.
    public var version: UInt64

    public init(
        id: String, eventID: String, type: String, name: String, status: Status = .open,
        inPlay: Bool = false, betDelayMilliseconds: Int = 0, selections: [Selection],
        version: UInt64 = 0
    ) {
        self.id = id
        self.eventID = eventID
        self.type = type
        self.name = name
        self.status = status
        self.inPlay = inPlay
        self.betDelayMilliseconds = betDelayMilliseconds
        self.selections = selections
        self.version = version
    }

    /// The index of selection `id`, or nil.
    public func selectionIndex(_ id: some StringProtocol) -> Int? {
        selections.firstIndex { $0.id == id }
    }
}

/// One outcome of a market, with its price.
public struct Selection: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case active
        case suspended
        case removed
    }

    public var id: String
    public var name: String
    public var price: Price
    public var status: Status

    public init(id: String, name: String, price: Price, status: Status = .active) {
        self.id = id
        self.name = name
        self.price = price
        self.status = status
    }
}
