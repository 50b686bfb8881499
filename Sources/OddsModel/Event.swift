/// A sporting event: a match, a race, a tennis tie. Markets hang off it.
public struct Event: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case scheduled
        case inPlay = "in_play"
        case ended
    }

    public var id: String
    public var sport: String
    public var competition: String
    public var name: String
    /// Scheduled start, Unix time in milliseconds.
    public var startTimeMilliseconds: Int64
    public var status: Status
    /// The sequence number of the change that last touched this event.
    public var version: UInt64

    public init(
        id: String, sport: String, competition: String, name: String,
        startTimeMilliseconds: Int64, status: Status = .scheduled, version: UInt64 = 0
    ) {
        self.id = id
        self.sport = sport
        self.competition = competition
        self.name = name
        self.startTimeMilliseconds = startTimeMilliseconds
        self.status = status
        self.version = version
    }
}
