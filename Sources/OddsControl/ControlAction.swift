import OddsModel

/// One thing the operator asked oddsctl to do, with its arguments already checked: ids are
/// well formed, statuses known, times and prices parse. What only the origin can judge (does
/// the event exist, may this market reopen) is left to the origin.
public enum ControlAction: Sendable, Equatable {
    case status
    case listEvents(sport: String?, status: String?)
    case showEvent(id: String)
    /// Creates the event or replaces it; sport, competition, name and start are set.
    case putEvent(id: String, EventFields)
    /// Changes the fields that are set, at least one.
    case updateEvent(id: String, EventFields)
    case listMarkets(event: String?, status: String?)
    case showMarket(id: String)
    /// Creates the market or replaces it; event, type, name and selections are set.
    case putMarket(id: String, MarketFields)
    /// Changes the fields that are set, at least one; never the selections.
    case updateMarket(id: String, MarketFields)
    case changeMarketStatus(id: String, MarketStatusChange)
    /// Prices given on the command line.
    case setPrices([PriceItem])
    /// Prices read from a batch file when the action runs; `-` is standard input.
    case setPricesFromFile(path: String)
    case listEdges
    case createAccount(id: String, AccountLimitFields)
    case showAccount(id: String)
    /// A deposit, or a withdrawal when `deposit` is false; the amount in minor units.
    case transfer(id: String, deposit: Bool, amount: Int64, reference: String?)
    case setAccountLimits(id: String, AccountLimitFields)
    case showLedger(id: String)
    case listAccountBets(id: String)
    case issueToken(account: String, ttlSeconds: Int64)
    case showBet(id: String)
    /// Settles (or resettles) a market: winners with their dead-heat shares, or void.
    case settleMarket(id: String, winners: [WinnerSpec], void: Bool, resettle: Bool)
    case voidBet(id: String)
    case checkLedger
}

/// A winning selection and its dead-heat share, as `--winner home` or `--winner home:1/2`.
public struct WinnerSpec: Sendable, Equatable {
    public var selection: String
    public var share: String

    public init(selection: String, share: String = "1/1") {
        self.selection = selection
        self.share = share
    }
}

/// Fields of an event as the admin API names them; nil is "not given".
public struct EventFields: Sendable, Equatable {
    public var sport: String?
    public var competition: String?
    public var name: String?
    /// UTC, as typed: `2026-12-05T15:00:00Z`.
    public var startTime: String?
    /// `scheduled`, `in_play` or `ended`.
    public var status: String?

    public init(
        sport: String? = nil, competition: String? = nil, name: String? = nil,
        startTime: String? = nil, status: String? = nil
    ) {
        self.sport = sport
        self.competition = competition
        self.name = name
        self.startTime = startTime
        self.status = status
    }
}

/// Fields of a market as the admin API names them; nil (or no selections) is "not given".
public struct MarketFields: Sendable, Equatable {
    public var event: String?
    public var type: String?
    public var name: String?
    /// `open`, `suspended` or `closed`.
    public var status: String?
    public var inPlay: Bool?
    public var betDelayMilliseconds: Int?
    public var selections: [SelectionSpec]

    public init(
        event: String? = nil, type: String? = nil, name: String? = nil, status: String? = nil,
        inPlay: Bool? = nil, betDelayMilliseconds: Int? = nil, selections: [SelectionSpec] = []
    ) {
        self.event = event
        self.type = type
        self.name = name
        self.status = status
        self.inPlay = inPlay
        self.betDelayMilliseconds = betDelayMilliseconds
        self.selections = selections
    }
}

/// A market status change that has its own admin endpoint.
public enum MarketStatusChange: String, Sendable, Equatable, CaseIterable {
    case suspend
    case resume
    case close

    /// The word for the confirmation line: `market m1 suspended`.
    var pastTense: String {
        switch self {
        case .suspend: return "suspended"
        case .resume: return "resumed"
        case .close: return "closed"
        }
    }
}
