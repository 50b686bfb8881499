import OddsModel

/// The Server-Sent Events wire format (the WHATWG HTML standard, section 9.2): fields of
/// `name: value` lines, an event ended by an empty line, comments starting with a colon.
/// Data given here is one line (compact JSON), so each event has one `data:` field.
enum ServerSentEvent {
    static let contentType = "text/event-stream"

    /// One event: its id (what the client sends back as `Last-Event-ID`), its type and data.
    static func frame(id: String?, event: String, data: [UInt8]) -> [UInt8] {
        // Sized exactly and copied in: the edge makes one of these for every change.
        var id = id
        var event = event
        let idCount = id.map { 5 + $0.utf8.count } ?? 0
        let count = idCount + 8 + event.utf8.count + 6 + data.count + 2
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var cursor = ByteCursor(buffer.baseAddress!)
            if id != nil {
                cursor.put("id: ")
                id!.withUTF8 { cursor.put($0) }
                cursor.put("\n")
            }
            cursor.put("event: ")
            event.withUTF8 { cursor.put($0) }
            cursor.put("\ndata: ")
            data.withUnsafeBufferPointer { cursor.put($0) }
            cursor.put("\n\n")
            initialized = cursor.pointer - buffer.baseAddress!
            precondition(initialized == count)
        }
    }

    /// Copies bytes into memory sized for them beforehand.
    private struct ByteCursor {
        var pointer: UnsafeMutablePointer<UInt8>

        init(_ pointer: UnsafeMutablePointer<UInt8>) {
            self.pointer = pointer
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress else { return }
            pointer.update(from: base, count: bytes.count)
            pointer += bytes.count
        }

        mutating func put(_ text: StaticString) {
            put(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
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
