import OddsModel

/// A change an operator or a trading feed asks the origin for, already decoded and checked
/// for shape; whether it can be applied is decided by `OriginBook` against the current state.
enum AdminCommand: Sendable {
    /// Creates the event, or replaces every field of it.
    case putEvent(EventSpec)
    case patchEvent(id: String, EventPatch)
    /// Creates the market, or replaces every field of it (selections included).
    case putMarket(MarketSpec)
    case patchMarket(id: String, MarketPatch)
    /// A batch of prices, all or nothing.
    case setPrices([PriceUpdate])
    case setMarketStatus(id: String, Market.Status)
}

struct EventSpec: Sendable, Equatable {
    var id: String
    var sport: String
    var competition: String
    var name: String
    var startTimeMilliseconds: Int64
    var status: Event.Status
}

struct EventPatch: Sendable, Equatable {
    var sport: String?
    var competition: String?
    var name: String?
    var startTimeMilliseconds: Int64?
    var status: Event.Status?
}

struct MarketSpec: Sendable, Equatable {
    var id: String
    var eventID: String
    var type: String
    var name: String
    var status: Market.Status
    var inPlay: Bool
    var betDelayMilliseconds: Int
    var selections: [Selection]
}

struct MarketPatch: Sendable, Equatable {
    var name: String?
    var status: Market.Status?
    var inPlay: Bool?
    var betDelayMilliseconds: Int?
}

struct PriceUpdate: Sendable, Equatable {
    var marketID: String
    var selectionID: String
    var price: Price
}

/// Why the origin refused a command; the status and message go back as a problem document.
struct AdminRejection: Error, Sendable, Equatable {
    enum Kind: Sendable {
        case invalid
        case notFound
        case conflict
        case unavailable
    }

    let kind: Kind
    let message: String

    static func invalid(_ message: String) -> AdminRejection {
        AdminRejection(kind: .invalid, message: message)
    }

    static func notFound(_ message: String) -> AdminRejection {
        AdminRejection(kind: .notFound, message: message)
    }

    static func conflict(_ message: String) -> AdminRejection {
        AdminRejection(kind: .conflict, message: message)
    }

    var status: Int {
        switch kind {
        case .invalid: return 422
        case .notFound: return 404
        case .conflict: return 409
        case .unavailable: return 503
        }
    }
}
