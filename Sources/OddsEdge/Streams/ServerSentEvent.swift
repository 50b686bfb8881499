import OddsModel

/// The Server-Sent Events wire format (the WHATWG HTML standard, section 9.2): fields of
/// `name: value` lines, an event ended by an empty line, comments starting with a colon.
/// Data given here is one line (compact JSON), so each event has one `data:` field.
enum ServerSentEvent {
    static let contentType = "text/event-stream"

    /// One event: its id (what the client sends back as `Last-Event-ID`), its type and data.
    static func frame(id: String?, event: String, data: some Collection<UInt8>) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count + event.utf8.count + (id?.utf8.count ?? 0) + 24)
        if let id {
            bytes.append(contentsOf: "id: ".utf8)
            bytes.append(contentsOf: id.utf8)
            bytes.append(newline)
        }
        bytes.append(contentsOf: "event: ".utf8)
        bytes.append(contentsOf: event.utf8)
        bytes.append(newline)
        bytes.append(contentsOf: "data: ".utf8)
        bytes.append(contentsOf: data)
        bytes.append(newline)
        bytes.append(newline)
        return bytes
    }

    /// A comment line, which clients ignore: a heartbeat that keeps idle connections open.
    static func comment(_ text: String) -> [UInt8] {
        Array(": \(text)\n\n".utf8)
    }

    /// Sets how long the client waits before it reconnects, milliseconds.
    static func retry(milliseconds: Int) -> [UInt8] {
        Array("retry: \(milliseconds)\n\n".utf8)
    }

    private static let newline = UInt8(ascii: "\n")
}
