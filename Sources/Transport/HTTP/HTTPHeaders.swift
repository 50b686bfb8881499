/// An ordered list of header fields. Names are stored lowercased (HTTP field names are
/// case-insensitive, and HTTP/2 requires lowercase on the wire) and compared without regard
/// to case.
///
/// The fields live as bytes in one buffer, not as strings: a request's headers are copied in
/// from nghttp2 without making a String per field, and a response's go out to nghttp2
/// without making one either. Strings are made only for what a handler reads.
public struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    struct Span: Sendable {
        var nameStart: Int32
        var nameLength: Int32
        var valueStart: Int32
        var valueLength: Int32
        var indexing: HeaderIndexing = .automatic
    }

    private(set) var storage: [UInt8] = []
    private(set) var spans: [Span] = []

    public init() {}

    public init(_ fields: [(String, String)]) {
        for (name, value) in fields {
            add(name, value)
        }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Room for `fields` fields of `bytes` bytes in all, before adding them.
    mutating func reserve(fields: Int, bytes: Int) {
        spans.reserveCapacity(fields)
        storage.reserveCapacity(bytes)
    }

    /// Appends a field, keeping any with the same name. `indexing` says whether HTTP/2's
    /// header compression may remember it (see `HeaderIndexing`).
    public mutating func add(
        _ name: String, _ value: String, indexing: HeaderIndexing = .automatic
    ) {
        let nameStart = storage.count
        storage.append(contentsOf: name.utf8)
        lowercase(from: nameStart)
        let valueStart = storage.count
        storage.append(contentsOf: value.utf8)
        append(nameStart: nameStart, valueStart: valueStart, indexing: indexing)
    }

    /// Appends a field from raw bytes.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        let nameStart = storage.count
        storage.append(contentsOf: name)
        lowercase(from: nameStart)
        let valueStart = storage.count
        storage.append(contentsOf: value)
        append(nameStart: nameStart, valueStart: valueStart)
    }

    /// Appends a field whose name is lowercase already (nghttp2 refuses a request field name
    /// with an uppercase letter before its header callback sees it).
    mutating func add(
        lowercasedName name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) {
        let nameStart = storage.count
        storage.append(contentsOf: name)
        let valueStart = storage.count
        storage.append(contentsOf: value)
        append(nameStart: nameStart, valueStart: valueStart)
    }

    /// Replaces every field named `name` with one holding `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        guard spans.contains(where: { matches($0, name) }) else { return }
        var kept = HTTPHeaders()
        kept.reserve(fields: spans.count, bytes: storage.count)
        for span in spans where !matches(span, name) {
            let nameStart = kept.storage.count
            kept.storage.append(contentsOf: storage[Int(span.nameStart)..<Int(span.valueStart)])
            let valueStart = kept.storage.count
            kept.storage.append(contentsOf:
                storage[Int(span.valueStart)..<Int(span.valueStart + span.valueLength)])
            kept.append(nameStart: nameStart, valueStart: valueStart, indexing: span.indexing)
        }
        self = kept
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        for span in spans where matches(span, name) {
            return string(span.valueStart, span.valueLength)
        }
        return nil
    }

    public var count: Int {
        spans.count
    }

    /// Every field as strings, in order.
    public var fields: [(name: String, value: String)] {
        Array(self)
    }

    public func makeIterator() -> AnyIterator<(name: String, value: String)> {
        var index = 0
        return AnyIterator {
            guard index < spans.count else { return nil }
            let span = spans[index]
            index += 1
            return (string(span.nameStart, span.nameLength),
                    string(span.valueStart, span.valueLength))
        }
    }

    /// Calls `body` with each field's name and value bytes, without making strings.
    @inline(__always)
    func forEachRaw(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        forEachRaw { name, value, _ in body(name, value) }
    }

    /// Calls `body` with each field's name and value bytes and its indexing.
    @inline(__always)
    func forEachRaw(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, HeaderIndexing) -> Void
    ) {
        storage.withUnsafeBufferPointer { bytes in
            for span in spans {
                body(UnsafeBufferPointer(rebasing:
                        bytes[Int(span.nameStart)..<Int(span.nameStart + span.nameLength)]),
                     UnsafeBufferPointer(rebasing:
                        bytes[Int(span.valueStart)..<Int(span.valueStart + span.valueLength)]),
                     span.indexing)
            }
        }
    }

    /// Bytes of all names and values together.
    var byteCount: Int {
        storage.count
    }

    static func equalNames(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count
            && zip(lhs.utf8, rhs.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    /// Empties the list, keeping the buffers for reuse.
    mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
    }

    /// Lowercases the ASCII letters of `storage` from `start` on.
    private mutating func lowercase(from start: Int) {
        for index in start..<storage.count where storage[index] &- 65 < 26 {
            storage[index] |= 0x20
        }
    }

    private mutating func append(
        nameStart: Int, valueStart: Int, indexing: HeaderIndexing = .automatic
    ) {
        spans.append(Span(
            nameStart: Int32(nameStart), nameLength: Int32(valueStart - nameStart),
            valueStart: Int32(valueStart), valueLength: Int32(storage.count - valueStart),
            indexing: indexing))
    }

    private func matches(_ span: Span, _ name: String) -> Bool {
        guard Int(span.nameLength) == name.utf8.count else { return false }
        var index = Int(span.nameStart)
        for byte in name.utf8 {
            if storage[index] != Self.asciiLower(byte) { return false }
            index += 1
        }
        return true
    }

    private func string(_ start: Int32, _ length: Int32) -> String {
        String(decoding: storage[Int(start)..<Int(start + length)], as: UTF8.self)
    }
}

/// Whether HTTP/2 header compression (HPACK) may add a field to the connection's table.
///
/// Indexing pays for a field sent again with the same value (`content-type`, say): later
/// copies cost a byte or two. A value that is new in nearly every response (a version's
/// timestamp) only pushes useful entries out of the table and costs an insertion each time,
/// so it is better sent as a literal that is never indexed.
public enum HeaderIndexing: Sendable {
    case automatic
    case never
}
