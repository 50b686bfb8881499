/// What an edge tells its upstream about an edge below it (fed by it, or further down), so
/// the origin can list every edge of the tree with its parent, its tier and its lag.
public struct EdgeReport: Sendable, Equatable {
    public var id: String
    public var address: String
    /// The edge that feeds it.
    public var parent: String
    /// 1 for an edge fed by the origin, 2 below that, and so on.
    public var tier: Int
    public var position: FeedPosition
    public var connected: Bool
    public var connectedSinceMicros: Int64
    public var acknowledgedAtMicros: Int64
    public var integrity: IntegrityReport.Outcome

    public init(
        id: String, address: String, parent: String, tier: Int, position: FeedPosition,
        connected: Bool, connectedSinceMicros: Int64, acknowledgedAtMicros: Int64,
        integrity: IntegrityReport.Outcome
    ) {
        self.id = id
        self.address = address
        self.parent = parent
        self.tier = tier
        self.position = position
        self.connected = connected
        self.connectedSinceMicros = connectedSinceMicros
        self.acknowledgedAtMicros = acknowledgedAtMicros
        self.integrity = integrity
    }

    /// Reports an acknowledgement carries at most: a tree wider than this is cut off.
    public static let maxPerAcknowledgement = 1000

    func encode(into writer: inout WireWriter) {
        writer.string(id)
        writer.string(address)
        writer.string(parent)
        writer.uint8(UInt8(clamping: tier))
        writer.uint64(position.epoch)
        writer.uint64(position.sequence)
        writer.bool(connected)
        writer.int64(connectedSinceMicros)
        writer.int64(acknowledgedAtMicros)
        writer.uint8(integrity.rawValue)
    }

    init(from reader: inout WireReader) throws(WireError) {
        id = try reader.string()
        address = try reader.string()
        parent = try reader.string()
        tier = Int(try reader.uint8())
        position = FeedPosition(epoch: try reader.uint64(), sequence: try reader.uint64())
        connected = try reader.bool()
        connectedSinceMicros = try reader.int64()
        acknowledgedAtMicros = try reader.int64()
        guard let outcome = IntegrityReport.Outcome(rawValue: try reader.uint8()) else {
            throw WireError.invalid("integrity outcome")
        }
        integrity = outcome
        guard Identifier.isValid(id), Identifier.isValid(parent) || parent == "origin" else {
            throw WireError.invalid("edge report id")
        }
    }
}
