import JSON
import Transport

/// One call to the origin's admin API: method, path with query, and a JSON body or none.
struct AdminRequest: Sendable, Equatable {
    var method: HTTPMethod
    var path: String
    var body: [UInt8]?

    /// The most items one `POST /v1/admin/prices` may carry, as the origin allows.
    static let maxPricesPerRequest = 100_000

    /// How an action reaches the origin: one request, or prices sent in batches of at most
    /// `maxPricesPerRequest` by `prices(_:)`.
    enum Plan: Sendable, Equatable {
        case single(AdminRequest)
        case prices([PriceItem])
        /// Prices still to be read from a file (`-` is standard input).
        case pricesFromFile(path: String)
    }

    /// How `action` reaches the origin.
    static func plan(for action: ControlAction) -> Plan {
        switch action {
        case .setPrices(let items):
            return .prices(items)
        case .setPricesFromFile(let path):
            return .pricesFromFile(path: path)
        case .status:
            return .single(AdminRequest(method: .get, path: "/v1/admin/status"))
        case .listEvents(let sport, let status):
            return .single(AdminRequest(
                method: .get,
                path: "/v1/admin/events" + query([("sport", sport), ("status", status)])))
        case .showEvent(let id):
            return .single(AdminRequest(method: .get, path: "/v1/admin/events/\(id)"))
        case .putEvent(let id, let fields):
            return .single(AdminRequest(
                method: .put, path: "/v1/admin/events/\(id)", body: body(fields)))
        case .updateEvent(let id, let fields):
            return .single(AdminRequest(
                method: .patch, path: "/v1/admin/events/\(id)", body: body(fields)))
        case .listMarkets(let event, let status):
            return .single(AdminRequest(
                method: .get,
                path: "/v1/admin/markets" + query([("event", event), ("status", status)])))
        case .showMarket(let id):
            return .single(AdminRequest(method: .get, path: "/v1/admin/markets/\(id)"))
        case .putMarket(let id, let fields):
            return .single(AdminRequest(
                method: .put, path: "/v1/admin/markets/\(id)", body: body(fields)))
        case .updateMarket(let id, let fields):
            return .single(AdminRequest(
                method: .patch, path: "/v1/admin/markets/\(id)", body: body(fields)))
        case .changeMarketStatus(let id, let change):
            return .single(AdminRequest(
                method: .post, path: "/v1/admin/markets/\(id)/\(change.rawValue)"))
        case .listEdges:
            return .single(AdminRequest(method: .get, path: "/v1/admin/edges"))
        case .createAccount(let id, let limits):
            return .single(AdminRequest(
                method: .post, path: "/v1/admin/accounts", body: accountBody(id, limits)))
        case .showAccount(let id):
            return .single(AdminRequest(method: .get, path: "/v1/admin/accounts/\(id)"))
        case .transfer(let id, let deposit, let amount, let reference):
            return .single(AdminRequest(
                method: .post,
                path: "/v1/admin/accounts/\(id)/" + (deposit ? "deposit" : "withdraw"),
                body: object { writer in
                    writer.key("amount")
                    writer.int(amount)
                    if let reference {
                        writer.key("reference")
                        writer.string(reference)
                    }
                }))
        case .setAccountLimits(let id, let limits):
            return .single(AdminRequest(
                method: .patch, path: "/v1/admin/accounts/\(id)/limits",
                body: object { limitMembers(limits, &$0) }))
        case .showLedger(let id):
            return .single(AdminRequest(method: .get, path: "/v1/admin/accounts/\(id)/ledger"))
        case .listAccountBets(let id):
            return .single(AdminRequest(method: .get, path: "/v1/admin/accounts/\(id)/bets"))
        case .issueToken(let account, let ttl):
            return .single(AdminRequest(
                method: .post, path: "/v1/admin/tokens",
                body: object { writer in
                    writer.key("account")
                    writer.string(account)
                    writer.key("ttlSeconds")
                    writer.int(ttl)
                }))
        case .showBet(let id):
            return .single(AdminRequest(method: .get, path: "/v1/admin/bets/\(id)"))
        case .voidBet(let id):
            return .single(AdminRequest(method: .post, path: "/v1/admin/bets/\(id)/void"))
        case .settleMarket(let id, let winners, let void, let resettle):
            return .single(AdminRequest(
                method: .post,
                path: "/v1/admin/markets/\(id)/" + (resettle ? "resettle" : "settle"),
                body: object { writer in
                    if void {
                        writer.key("void")
                        writer.bool(true)
                        return
                    }
                    writer.key("winners")
                    writer.beginArray()
                    for winner in winners {
                        writer.beginObject()
                        writer.key("selection")
                        writer.string(winner.selection)
                        writer.key("deadHeat")
                        writer.string(winner.share)
                        writer.endObject()
                    }
                    writer.endArray()
                }))
        case .checkLedger:
            return .single(AdminRequest(method: .get, path: "/v1/admin/ledger/check"))
        }
    }

    private static func object(_ members: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        members(&writer)
        writer.endObject()
        return writer.bytes
    }

    private static func accountBody(_ id: String, _ limits: AccountLimitFields) -> [UInt8] {
        object { writer in
            writer.key("id")
            writer.string(id)
            if limits != AccountLimitFields() {
                writer.key("limits")
                writer.beginObject()
                limitMembers(limits, &writer)
                writer.endObject()
            }
        }
    }

    private static func limitMembers(_ limits: AccountLimitFields, _ writer: inout JSONWriter) {
        for (key, value) in [
            ("minStake", limits.minStake), ("maxStake", limits.maxStake),
            ("maxLiabilityPerMarket", limits.maxLiabilityPerMarket),
            ("betsPerSecond", limits.betsPerSecond),
        ] {
            if let value {
                writer.key(key)
                writer.int(value)
            }
        }
    }

    /// `POST /v1/admin/prices` with `items`, at most `maxPricesPerRequest` of them.
    static func prices(_ items: ArraySlice<PriceItem>) -> AdminRequest {
        var writer = JSONWriter(capacity: 64 + items.count * 48)
        writer.beginObject()
        writer.key("prices")
        writer.beginArray()
        for item in items {
            writer.beginObject()
            writer.key("market")
            writer.string(item.market)
            writer.key("selection")
            writer.string(item.selection)
            writer.key("price")
            writer.string(item.price.decimalText)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return AdminRequest(method: .post, path: "/v1/admin/prices", body: writer.bytes)
    }

    private static func body(_ fields: EventFields) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        for (key, value) in [
            ("sport", fields.sport), ("competition", fields.competition), ("name", fields.name),
            ("startTime", fields.startTime), ("status", fields.status),
        ] {
            guard let value else { continue }
            writer.key(key)
            writer.string(value)
        }
        writer.endObject()
        return writer.bytes
    }

    private static func body(_ fields: MarketFields) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        for (key, value) in [
            ("event", fields.event), ("type", fields.type), ("name", fields.name),
            ("status", fields.status),
        ] {
            guard let value else { continue }
            writer.key(key)
            writer.string(value)
        }
        if let inPlay = fields.inPlay {
            writer.key("inPlay")
            writer.bool(inPlay)
        }
        if let delay = fields.betDelayMilliseconds {
            writer.key("betDelayMs")
            writer.int(Int64(delay))
        }
        if !fields.selections.isEmpty {
            writer.key("selections")
            writer.beginArray()
            for selection in fields.selections {
                writer.beginObject()
                writer.key("id")
                writer.string(selection.id)
                writer.key("name")
                writer.string(selection.name)
                writer.key("price")
                writer.string(selection.price.decimalText)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return writer.bytes
    }

    /// `?a=1&b=2` from the pairs that have a value, percent-encoded; empty when none has.
    private static func query(_ pairs: [(String, String?)]) -> String {
        let given = pairs.compactMap { name, value in value.map { "\(name)=\(encoded($0))" } }
        return given.isEmpty ? "" : "?" + given.joined(separator: "&")
    }

    /// Keeps the unreserved characters of RFC 3986 and writes every other byte as `%XX`.
    private static func encoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
