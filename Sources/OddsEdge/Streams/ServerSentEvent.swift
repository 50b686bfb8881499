import JSON
import OddsModel

/// The Server-Sent Events wire format (the WHATWG HTML standard, section 9.2): fields of
/// `name: value` lines, an event ended by an empty line, comments starting with a colon.
/// Data given here is one line (compact JSON), so each event has one `data:` field.
enum ServerSentEvent {
    static let contentType = "text/event-stream"

    /// One event: its id (what the client sends back as `Last-Event-ID`), its type and data.
    /// A frame whose id is the stream event id of `position`, written as bytes.
    static func frame(position: FeedPosition, event: StaticString, data: [UInt8]) -> [UInt8] {
        let count = 5 + StreamEventID.maxBytes + 8 + event.utf8CodeUnitCount + 6
            + data.count + 2
        return JSONPointerWriter.bytes(capacity: count) { out in
            out.piece("id: ")
            out.upTo(StreamEventID.maxBytes) { StreamEventID.write(position, into: $0) }
            out.piece("\nevent: ")
            out.piece(event)
            out.piece("\ndata: ")
            out.raw(data)
            out.piece("\n\n")
        }
    }

    static func frame(id: String?, event: String, data: [UInt8]) -> [UInt8] {
        // Sized exactly and copied in: the edge makes one of these for every change.
        let count = (id.map { 5 + $0.utf8.count } ?? 0) + 8 + event.utf8.count + 6
            + data.count + 2
        return JSONPointerWriter.bytes(capacity: count) { out in
            if let id {
                out.piece("id: ")
                out.plain(id)
                out.byte(UInt8(ascii: "\n"))
            }
            out.piece("event: ")
            out.plain(event)
            out.piece("\ndata: ")
            out.raw(data)
            out.piece("\n\n")
        }
    }

    /// A comment line, which clients ignore: a heartbeat that keeps idle connections open.
    static func comment(_ text: String) -> [UInt8] {
        Array(": \(text)\n\n".utf8)
    }

    /// Sets how long the client waits before it reconnects, milliseconds.
    static func retry(milliseconds: Int) -> [UInt8] {
        Array("retry: \(milliseconds)\n\n".utf8)
    }

}
