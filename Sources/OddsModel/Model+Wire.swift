// The binary encoding of the model: feed frames carry it and both stores keep it. The layout
// is canonical (one encoding per value), so a hash of it identifies a market's content.

/// A value with one binary encoding: events, markets and changes.
public protocol WireEncodable {
    func encode(into writer: inout WireWriter)
    init(from reader: inout WireReader) throws(WireError)
}

extension WireEncodable {
    /// The encoding alone, as a store keeps it.
    public var wireBytes: [UInt8] {
        var writer = WireWriter(capacity: 256)
        encode(into: &writer)
        return writer.bytes
    }

    /// Decodes a whole record; throws when anything is missing, malformed or left over.
    public init(wireBytes: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(wireBytes)
        try self.init(from: &reader)
        try reader.finish()
    }
}

extension Event: WireEncodable {
    public func encode(into writer: inout WireWriter) {
        writer.string(id)
        writer.string(sport)
        writer.string(competition)
        writer.string(name)
        writer.int64(startTimeMilliseconds)
        writer.uint8(status.wireCode)
        writer.uint64(version)
    }

    public init(from reader: inout WireReader) throws(WireError) {
        self.init(
            id: try reader.string(), sport: try reader.string(),
            competition: try reader.string(), name: try reader.string(),
            startTimeMilliseconds: try reader.int64(),
            status: try Status(wireCode: try reader.uint8()), version: try reader.uint64())
    }

}

extension Market: WireEncodable {
    public func encode(into writer: inout WireWriter) {
        writer.string(id)
        writer.string(eventID)
        writer.string(type)
        writer.string(name)
        writer.uint8(status.wireCode)
        writer.bool(inPlay)
        writer.uint32(UInt32(clamping: betDelayMilliseconds))
        writer.uint64(version)
        writer.uint32(UInt32(selections.count))
        for selection in selections {
            writer.string(selection.id)
            writer.string(selection.name)
            writer.int64(selection.price.units)
            writer.uint8(selection.status.wireCode)
        }
    }

    public init(from reader: inout WireReader) throws(WireError) {
        let id = try reader.string()
        let eventID = try reader.string()
        let type = try reader.string()
        let name = try reader.string()
        let status = try Status(wireCode: try reader.uint8())
        let inPlay = try reader.bool()
        let delay = Int(try reader.uint32())
        let version = try reader.uint64()
        let count = try reader.count(minimumItemBytes: 17)
        var selections: [Selection] = []
        selections.reserveCapacity(count)
        for _ in 0..<count {
            let selectionID = try reader.string()
            let selectionName = try reader.string()
            guard let price = Price(units: try reader.int64()) else {
                throw WireError.invalid("price")
            }
            let selectionStatus = try Selection.Status(wireCode: try reader.uint8())
            selections.append(Selection(
                id: selectionID, name: selectionName, price: price, status: selectionStatus))
        }
        self.init(
            id: id, eventID: eventID, type: type, name: name, status: status, inPlay: inPlay,
            betDelayMilliseconds: delay, selections: selections, version: version)
    }

}

extension Change: WireEncodable {
    /// Bytes before the event's or market's own encoding: sequence, publish time, kind.
    public static let headerBytes = 17

    private static let eventKind: UInt8 = 1
    private static let marketKind: UInt8 = 2

    public func encode(into writer: inout WireWriter) {
        writer.uint64(sequence)
        writer.int64(publishedAtMicros)
        switch body {
        case .event(let event):
            writer.uint8(Self.eventKind)
            event.encode(into: &writer)
        case .market(let market):
            writer.uint8(Self.marketKind)
            market.encode(into: &writer)
        }
    }

    public init(from reader: inout WireReader) throws(WireError) {
        let sequence = try reader.uint64()
        let published = try reader.int64()
        let body: Body
        switch try reader.uint8() {
        case Self.eventKind: body = .event(try Event(from: &reader))
        case Self.marketKind: body = .market(try Market(from: &reader))
        default: throw WireError.invalid("change kind")
        }
        self.init(sequence: sequence, publishedAtMicros: published, body: body)
    }

}

/// Statuses travel as one byte each: the codes below are part of the wire format and of
/// the stores, so they never change meaning. A new status takes the next free code.
protocol WireCoded {
    static var wireOrder: [Self] { get }
}

extension WireCoded where Self: Equatable {
    init(wireCode: UInt8) throws(WireError) {
        let order = Self.wireOrder
        guard Int(wireCode) < order.count else { throw WireError.invalid("status code") }
        self = order[Int(wireCode)]
    }
}

extension Event.Status: WireCoded {
    static let wireOrder: [Self] = [.scheduled, .inPlay, .ended]

    var wireCode: UInt8 {
        switch self {
        case .scheduled: return 0
        case .inPlay: return 1
        case .ended: return 2
        }
    }
}

extension Market.Status: WireCoded {
    static let wireOrder: [Self] = [.open, .suspended, .closed, .settled, .voided]

    var wireCode: UInt8 {
        switch self {
        case .open: return 0
        case .suspended: return 1
        case .closed: return 2
        case .settled: return 3
        case .voided: return 4
        }
    }
}

extension Selection.Status: WireCoded {
    static let wireOrder: [Self] = [.active, .suspended, .removed]

    var wireCode: UInt8 {
        switch self {
        case .active: return 0
        case .suspended: return 1
        case .removed: return 2
        }
    }
}
