import OddsModel
import Transport

/// What one stream client subscribed to: markets, events (with all their markets) and
/// sports (with all their events and markets). No subscription at all means everything.
struct StreamFilter: Sendable, Equatable {
    var markets: Set<String> = []
    var events: Set<String> = []
    var sports: Set<String> = []

    /// Ids a client may name in one subscription, over all three lists.
    static let maxNames = 1000

    var isEverything: Bool {
        markets.isEmpty && events.isEmpty && sports.isEmpty
    }

    func matches(_ item: StreamItem) -> Bool {
        if isEverything || events.contains(item.eventID) || sports.contains(item.sport) {
            return true
        }
        return item.kind == .market && markets.contains(item.id)
    }

    /// The subscription in `?markets=a,b&events=e&sport=football`; a message naming the
    /// parameter at fault otherwise.
    static func parse(_ request: HTTPRequest) -> Result<StreamFilter, StreamRefusal> {
        var filter = StreamFilter()
        var names = 0
        for (parameter, path) in [("markets", \StreamFilter.markets),
                                  ("events", \StreamFilter.events),
                                  ("sport", \StreamFilter.sports)]
        {
            guard let list = request.queryParameter(parameter) else { continue }
            for name in list.split(separator: ",", omittingEmptySubsequences: true) {
                guard Identifier.isValid(name) else {
                    return .failure(StreamRefusal(
                        "\(parameter): \(name.prefix(64)) is not an id (1 to 64 characters "
                            + "from A-Z a-z 0-9 . _ -)"))
                }
                names += 1
                guard names <= maxNames else {
                    return .failure(StreamRefusal(
                        "at most \(maxNames) markets, events and sports in one stream"))
                }
                filter[keyPath: path].insert(String(name))
            }
        }
        return .success(filter)
    }
}

/// Why a stream request was refused: answered 400 before the stream starts.
struct StreamRefusal: Error {
    var message: String

    init(_ message: String) {
        self.message = message
    }
}
