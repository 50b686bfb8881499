/// One Server-Sent Event as a client receives it.
public struct ServerSentEventMessage: Sendable, Equatable {
    /// The `event` field; `message` when the event named none.
    public var event: String
    public var data: String
    /// The last event id seen up to and including this event (ids carry over, as in a
    /// browser's EventSource).
    public var lastEventID: String

    public init(event: String, data: String, lastEventID: String) {
        self.event = event
        self.data = data
        self.lastEventID = lastEventID
    }
}

/// Turns a `text/event-stream` body, fed in pieces as they arrive, into events, following
/// the WHATWG HTML standard's parsing rules (section 9.2.6): lines end with CRLF, LF or CR;
/// a colon first makes a comment; an empty line dispatches the event gathered so far.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastByteWasCR = false
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType = ""
    public private(set) var lastEventID = ""
    /// The reconnect delay the server last asked for, milliseconds.
    public private(set) var retryMilliseconds: Int?
    /// Comment lines seen (heartbeats, notices).
    public private(set) var comments = 0

    /// A line longer than this is cut off: a server gone wrong cannot make the client hold
    /// without bound.
    public static let maxLineBytes = 64 << 20

    public init() {}

    /// Feeds the next bytes of the body; returns the events they completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEventMessage] {
        var events: [ServerSentEventMessage] = []
        for byte in bytes {
            if lastByteWasCR {
                lastByteWasCR = false
                if byte == lf { continue }
            }
            switch byte {
            case cr:
                lastByteWasCR = true
                endLine(into: &events)
            case lf:
                endLine(into: &events)
            default:
                if line.count < Self.maxLineBytes {
                    line.append(byte)
                }
            }
        }
        return events
    }

    private mutating func endLine(into events: inout [ServerSentEventMessage]) {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            dispatch(into: &events)
            return
        }
        if line[0] == colon {
            comments += 1
            return
        }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let split = line.firstIndex(of: colon) {
            name = line[..<split]
            value = line[(split + 1)...]
            if value.first == space {
                value = value.dropFirst()
            }
        } else {
            name = line[...]
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            data.append(contentsOf: value)
            data.append(lf)
            hasData = true
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) {
                lastEventID = String(decoding: value, as: UTF8.self)
            }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ (0x30...0x39).contains($0) }),
                let milliseconds = Int(String(decoding: value, as: UTF8.self))
            {
                retryMilliseconds = milliseconds
            }
        default:
            break
        }
    }

    private mutating func dispatch(into events: inout [ServerSentEventMessage]) {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = ""
        }
        guard hasData else { return }
        if data.last == lf {
            data.removeLast()
        }
        events.append(ServerSentEventMessage(
            event: eventType.isEmpty ? "message" : eventType,
            data: String(decoding: data, as: UTF8.self), lastEventID: lastEventID))
    }
}

private let cr = UInt8(ascii: "\r")
private let lf = UInt8(ascii: "\n")
private let colon = UInt8(ascii: ":")
private let space = UInt8(ascii: " ")
