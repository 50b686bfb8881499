import OddsModel

/// The origin's current events and markets, in memory, and the rules for changing them.
///
/// Pure state: `apply` either refuses a command and changes nothing, or changes the book
/// and returns the changes to sequence, store and publish. Sequencer thread only.
struct OriginBook {
    private(set) var events: [String: Event] = [:]
    private(set) var markets: [String: Market] = [:]
    private(set) var marketHashes: [String: UInt64] = [:]
    private(set) var digest = MarketDigest()

    /// Loads a stored event or market, as found at start.
    mutating func load(_ event: Event) {
        events[event.id] = event
    }

    mutating func load(_ market: Market) {
        store(market)
    }

    /// Applies `command`, numbering its changes from `nextSequence` on. Returns the changes
    /// (none when the command changes nothing), or throws and leaves the book as it was.
    mutating func apply(
        _ command: AdminCommand, nextSequence: UInt64, publishedAtMicros: Int64
    ) throws(AdminRejection) -> [Change] {
        var sequence = nextSequence
        func change(_ body: Change.Body) -> Change {
            defer { sequence += 1 }
            return Change(sequence: sequence, publishedAtMicros: publishedAtMicros, body: body)
        }

        switch command {
        case .putEvent(let spec):
            var event = Event(
                id: spec.id, sport: spec.sport, competition: spec.competition, name: spec.name,
                startTimeMilliseconds: spec.startTimeMilliseconds, status: spec.status)
            return changedEvent(&event, old: events[spec.id], change: change)
        case .patchEvent(let id, let patch):
            guard let old = events[id] else { throw .notFound("event \(id) does not exist") }
            var event = old
            event.sport = patch.sport ?? event.sport
            event.competition = patch.competition ?? event.competition
            event.name = patch.name ?? event.name
            event.startTimeMilliseconds = patch.startTimeMilliseconds
                ?? event.startTimeMilliseconds
            event.status = patch.status ?? event.status
            return changedEvent(&event, old: old, change: change)
        case .putMarket(let spec):
            guard events[spec.eventID] != nil else {
                throw .notFound("event \(spec.eventID) does not exist")
            }
            let old = markets[spec.id]
            if let old, old.eventID != spec.eventID {
                throw .conflict("market \(spec.id) belongs to event \(old.eventID)")
            }
            if let old, old.status.isFinal {
                throw .conflict("market \(spec.id) is \(old.status.rawValue)")
            }
            var market = Market(
                id: spec.id, eventID: spec.eventID, type: spec.type, name: spec.name,
                status: spec.status, inPlay: spec.inPlay,
                betDelayMilliseconds: spec.betDelayMilliseconds, selections: spec.selections)
            return changedMarket(&market, old: old, change: change)
        case .patchMarket(let id, let patch):
            guard let old = markets[id] else { throw .notFound("market \(id) does not exist") }
            var market = old
            if let status = patch.status {
                try checkTransition(of: old, to: status)
                market.status = status
            }
            market.name = patch.name ?? market.name
            market.inPlay = patch.inPlay ?? market.inPlay
            market.betDelayMilliseconds = patch.betDelayMilliseconds
                ?? market.betDelayMilliseconds
            return changedMarket(&market, old: old, change: change)
        case .setMarketStatus(let id, let status):
            guard let old = markets[id] else { throw .notFound("market \(id) does not exist") }
            try checkTransition(of: old, to: status)
            var market = old
            market.status = status
            return changedMarket(&market, old: old, change: change)
        case .setPrices(let updates):
            return try setPrices(updates, change: change)
        }
    }

    /// Puts a market in its final status, settled or voided, for a settlement or a
    /// resettlement. Returns its change (none when it already had that status).
    mutating func finish(
        marketID: String, as status: Market.Status, nextSequence: UInt64,
        publishedAtMicros: Int64
    ) throws(AdminRejection) -> [Change] {
        precondition(status.isFinal, "a market finishes settled or voided")
        guard let old = markets[marketID] else {
            throw .notFound("market \(marketID) does not exist")
        }
        var market = old
        market.status = status
        return changedMarket(&market, old: old) { body in
            Change(sequence: nextSequence, publishedAtMicros: publishedAtMicros, body: body)
        }
    }

    /// Checks the whole batch first, then changes each market it touches once, in the order
    /// the batch first names them.
    private mutating func setPrices(
        _ updates: [PriceUpdate], change: (Change.Body) -> Change
    ) throws(AdminRejection) -> [Change] {
        // The markets the batch touches, in the order it first names them, before and after;
        // found by id once each (hashing a String key costs hundreds of instructions, and a
        // batch of thousands of prices did it nine times a change).
        var positions: [String: Int] = [:]
        var edited: [(old: Market, new: Market)] = []
        for (index, update) in updates.enumerated() {
            let position: Int
            if let known = positions[update.marketID] {
                position = known
            } else {
                guard let market = markets[update.marketID] else {
                    throw .notFound("prices[\(index)]: market \(update.marketID) does not exist")
                }
                position = edited.count
                positions[update.marketID] = position
                edited.append((old: market, new: market))
            }
            guard let selection = edited[position].new.selectionIndex(update.selectionID) else {
                throw .notFound(
                    "prices[\(index)]: market \(update.marketID) has no selection "
                        + update.selectionID)
            }
            let status = edited[position].new.status
            guard status == .open || status == .suspended else {
                throw .conflict(
                    "prices[\(index)]: market \(update.marketID) is \(status.rawValue)")
            }
            edited[position].new.selections[selection].price = update.price
        }
        var changes: [Change] = []
        for index in edited.indices {
            changes += changedMarket(&edited[index].new, old: edited[index].old, change: change)
        }
        return changes
    }

    private func checkTransition(of market: Market, to status: Market.Status)
        throws(AdminRejection)
    {
        let allowed: Bool
        switch (market.status, status) {
        case (.open, .suspended), (.suspended, .open), (.open, .closed), (.suspended, .closed):
            allowed = true
        case (let from, let to) where from == to:
            allowed = true
        default:
            allowed = false
        }
        guard allowed else {
            throw .conflict(
                "market \(market.id) is \(market.status.rawValue) and cannot become "
                    + status.rawValue)
        }
    }

    /// Stores `event` with a new version unless it equals `old` apart from the version.
    private mutating func changedEvent(
        _ event: inout Event, old: Event?, change: (Change.Body) -> Change
    ) -> [Change] {
        if let old {
            event.version = old.version
            if event == old { return [] }
        }
        let made = change(.event(event))
        event.version = made.sequence
        events[event.id] = event
        return [Change(
            sequence: made.sequence, publishedAtMicros: made.publishedAtMicros,
            body: .event(event))]
    }

    private mutating func changedMarket(
        _ market: inout Market, old: Market?, change: (Change.Body) -> Change
    ) -> [Change] {
        if let old {
            market.version = old.version
            if market == old { return [] }
        }
        let made = change(.market(market))
        market.version = made.sequence
        store(market)
        return [Change(
            sequence: made.sequence, publishedAtMicros: made.publishedAtMicros,
            body: .market(market))]
    }

    private mutating func store(_ market: Market) {
        let hash = MarketDigest.hash(market)
        if let old = marketHashes[market.id] {
            digest.replace(old, with: hash)
        } else {
            digest.add(hash)
        }
        marketHashes[market.id] = hash
        markets[market.id] = market
    }
}
