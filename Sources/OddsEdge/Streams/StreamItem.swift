import OddsModel

/// One change as stream clients get it: what it touched, so subscriptions can be matched
/// without decoding it again, and its Server-Sent Event, encoded once for every client.
struct StreamItem: Sendable {
    enum Kind: Sendable {
        case market
        case event
    }

    var kind: Kind
    /// The origin's sequence number of the change.
    var sequence: UInt64
    /// The market's or the event's id.
    var id: String
    /// The market's event, or the event itself.
    var eventID: String
    /// The event's sport; empty when the edge does not know the event.
    var sport: String
    /// What a conflating client must see each change of: the status and the in-play flag.
    /// Changes that keep it are only price moves, and the latest one stands for them all.
    var status: String
    var publishedAtMicros: Int64
    /// `id`, `event` and `data` lines, ready to write.
    var frame: [UInt8]
    /// The change in the feed's binary encoding, for the edges this edge feeds.
    var change: [UInt8] = []
    /// When the origin's commit of the change completed (0 when unknown).
    var committedAtMicros: Int64 = 0
    /// A market repaired from the origin outside the sequence (after an integrity check):
    /// delivered to every matching client though its sequence number is not new, and not
    /// kept in the history.
    var isRepair = false

    /// The item for a market change; `json` is the market's client document.
    static func market(
        _ market: Market, sequence: UInt64, epoch: UInt64, publishedAtMicros: Int64,
        sport: String, json: [UInt8]
    ) -> StreamItem {
        StreamItem(
            kind: .market, sequence: sequence, id: market.id, eventID: market.eventID,
            sport: sport, status: market.status.rawValue + (market.inPlay ? "+live" : ""),
            publishedAtMicros: publishedAtMicros,
            frame: ServerSentEvent.frame(
                position: FeedPosition(epoch: epoch, sequence: sequence), event: "market",
                data: json))
    }

    /// The item for an event change; `json` is the event's client document.
    static func event(
        _ event: Event, sequence: UInt64, epoch: UInt64, publishedAtMicros: Int64,
        json: [UInt8]
    ) -> StreamItem {
        StreamItem(
            kind: .event, sequence: sequence, id: event.id, eventID: event.id,
            sport: event.sport, status: event.status.rawValue,
            publishedAtMicros: publishedAtMicros,
            frame: ServerSentEvent.frame(
                position: FeedPosition(epoch: epoch, sequence: sequence), event: "event",
                data: json))
    }
}
