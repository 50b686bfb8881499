/// An ordered list of header fields. Names are stored lowercased (HTTP field names are
/// case-insensitive, and HTTP/2 requires lowercase on the wire) and compared without regard
/// to case.
///
/// The fields live as bytes in one buffer (`HeaderStorage`), not as strings: a request's
/// headers are copied in from nghttp2 without making a String per field, and a response's go
/// out to nghttp2 without making one either. Strings are made only for what a handler reads.
public struct HTTPHeaders: @unchecked Sendable, Sequence, ExpressibleByDictionaryLiteral {
    // @unchecked: the storage is copied before any write unless this value holds it alone, as
    // Array's is, so values sent to other threads never share mutable memory.
    /// Nil while there are no fields: empty headers allocate nothing.
    private var storage: HeaderStorage?
    /// What a first field allocates at least: a request's or a response's head fits.
    private static let minimumCapacity = 256

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
        reserve(adding: fields * HeaderStorage.prefixBytes + bytes)
    }

    /// Appends a field, keeping any with the same name. `indexing` says whether HTTP/2's
    /// header compression may remember it (see `HeaderIndexing`).
    public mutating func add(
        _ name: String, _ value: String, indexing: HeaderIndexing = .automatic
    ) {
        var name = name
        var value = value
        name.withUTF8 { name in
            value.withUTF8 { value in
                append(name, value, indexing: indexing, lowercasing: true)
            }
        }
    }

    /// Appends a field from raw bytes.
    mutating func add(name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) {
        append(name, value, indexing: .automatic, lowercasing: true)
    }

    /// Appends a field whose name is lowercase already (nghttp2 refuses a request field name
    /// with an uppercase letter before its header callback sees it).
    mutating func add(
        lowercasedName name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) {
        append(name, value, indexing: .automatic, lowercasing: false)
    }

    /// Replaces every field named `name` with one holding `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    /// Removes every field named `name`.
    public mutating func remove(_ name: String) {
        guard self[name] != nil else { return }
        var kept = HTTPHeaders()
        var name = name
        name.withUTF8 { name in
            forEachRaw { fieldName, value, indexing in
                guard !Self.matches(fieldName, name) else { return }
                kept.append(fieldName, value, indexing: indexing, lowercasing: false)
            }
        }
        self = kept
    }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        guard let storage else { return nil }
        var name = name
        return name.withUTF8 { name in
            var found: String?
            storage.forEach { fieldName, value, _ in
                if found == nil && Self.matches(fieldName, name) {
                    found = String(decoding: value, as: UTF8.self)
                }
            }
            return found
        }
    }

    public var count: Int {
        storage?.header.fields ?? 0
    }

    /// Every field as strings, in order.
    public var fields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(count)
        forEachRaw { name, value in
            fields.append((String(decoding: name, as: UTF8.self),
                           String(decoding: value, as: UTF8.self)))
        }
        return fields
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Calls `body` with each field's name and value bytes, without making strings.
    @inline(__always)
    func forEachRaw(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Void) {
        storage?.forEach { name, value, _ in body(name, value) }
    }

    /// Calls `body` with each field's name and value bytes and its indexing.
    @inline(__always)
    func forEachRaw(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, HeaderIndexing) -> Void
    ) {
        storage?.forEach { name, value, neverIndexed in
            body(name, value, neverIndexed ? .never : .automatic)
        }
    }

    static func equalNames(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.count == rhs.utf8.count
            && zip(lhs.utf8, rhs.utf8).allSatisfy { asciiLower($0) == asciiLower($1) }
    }

    @inline(__always)
    static func asciiLower(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }

    /// Empties the list, keeping its memory for reuse when nothing else shares it.
    mutating func removeAll() {
        if isKnownUniquelyReferenced(&storage) {
            storage.unsafelyUnwrapped.removeAll()
        } else {
            storage = nil
        }
    }

    @inline(__always)
    private mutating func append(
        _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>,
        indexing: HeaderIndexing, lowercasing: Bool
    ) {
        reserve(adding: HeaderStorage.prefixBytes + name.count + value.count)
        // Called on the stored reference itself, which this value holds alone: no copy of the
        // reference, so no retain and release for every field.
        storage.unsafelyUnwrapped.append(
            name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value),
            neverIndexed: indexing == .never, lowercasing: lowercasing)
    }

    /// Makes the storage this value's alone, with room for `extra` more bytes.
    @inline(__always)
    private mutating func reserve(adding extra: Int) {
        let unique = isKnownUniquelyReferenced(&storage)
        if !unique || !storage.unsafelyUnwrapped.hasRoom(for: extra) {
            replaceStorage(adding: extra, grow: unique)
        }
    }

    /// New storage with the fields so far and room for `extra` more bytes: twice as much when
    /// `grow` (this value held the old one alone, and it ran out of room), else as much.
    private mutating func replaceStorage(adding extra: Int, grow: Bool) {
        guard let old = storage else {
            storage = HeaderStorage.make(capacity: Swift.max(Self.minimumCapacity, extra))
            return
        }
        let counts = old.header
        let capacity = grow ? counts.capacity * 2 : counts.capacity
        storage = old.copy(capacity: Swift.max(capacity, counts.usedBytes + extra))
    }

    /// Whether a stored (lowercase) name is `name` in any case.
    private static func matches(
        _ stored: UnsafeBufferPointer<UInt8>, _ name: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard stored.count == name.count else { return false }
        for index in 0..<name.count where stored[index] != asciiLower(name[index]) {
            return false
        }
        return true
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
