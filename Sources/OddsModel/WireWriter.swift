import Glibc

/// Appends the binary wire encoding: little-endian integers, strings as a 32-bit byte count
/// then UTF-8. Used for feed frames and for the stores' records.
///
/// Writes into memory of its own through a pointer (one per encoding, never copied), so a
/// field is a store or a `memcpy`, not an `Array` append with its capacity and uniqueness
/// checks: the origin encodes every market it changes twice (its record and the feed's
/// change), field by field. `bytes` copies the result out once.
public struct WireWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Bytes written so far.
    public private(set) var count = 0

    public init(capacity: Int = 256) {
        self.capacity = Swift.max(16, capacity)
        base = Self.allocate(self.capacity)
    }

    deinit {
        free(base)
    }

    /// What has been written, as a new array.
    public var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    /// Calls `body` with what has been written so far.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(UnsafeRawBufferPointer(start: base, count: count))
    }

    public mutating func uint8(_ value: UInt8) {
        reserve(1)
        base[count] = value
        count += 1
    }

    public mutating func bool(_ value: Bool) {
        uint8(value ? 1 : 0)
    }

    public mutating func uint32(_ value: UInt32) {
        reserve(4)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt32.self)
        count += 4
    }

    public mutating func uint64(_ value: UInt64) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: value.littleEndian, as: UInt64.self)
        count += 8
    }

    public mutating func int64(_ value: Int64) {
        uint64(UInt64(bitPattern: value))
    }

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            uint32(UInt32(truncatingIfNeeded: utf8.count))
            append(UnsafeRawBufferPointer(utf8))
        }
    }

    public mutating func append(_ raw: [UInt8]) {
        raw.withUnsafeBytes { append($0) }
    }

    public mutating func append(_ raw: UnsafeRawBufferPointer) {
        guard let source = raw.baseAddress, raw.count > 0 else { return }
        reserve(raw.count)
        memcpy(base + count, source, raw.count)
        count += raw.count
    }

    /// Overwrites four bytes at `offset` (a length written before its contents were known).
    public mutating func patchUInt32(_ value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= count, "patch outside what was written")
        UnsafeMutableRawPointer(base + offset).storeBytes(of: value.littleEndian, as: UInt32.self)
    }

    @inline(__always)
    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        grow(extra)
    }

    private mutating func grow(_ extra: Int) {
        let grown = Swift.max(capacity * 2, count + extra)
        guard let moved = realloc(base, grown) else {
            fatalError("out of memory growing a wire encoding to \(grown) bytes")
        }
        base = moved.assumingMemoryBound(to: UInt8.self)
        capacity = grown
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutablePointer<UInt8> {
        guard let memory = malloc(capacity) else {
            fatalError("out of memory for a wire encoding of \(capacity) bytes")
        }
        return memory.assumingMemoryBound(to: UInt8.self)
    }
}

/// Reads the wire encoding back. Every read checks its bounds and throws on short or
/// malformed input; nothing here traps on bytes from outside.
public struct WireReader {
    private let bytes: UnsafeRawBufferPointer
    public private(set) var offset = 0
    /// Where text read before comes from again, when the reader has one (a feed decoder's,
    /// lent for the frame the reader reads).
    private let interner: UnsafeMutablePointer<TextInterner>?

    /// A reader over `bytes`, which must outlive it.
    public init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        interner = nil
    }

    init(_ bytes: UnsafeRawBufferPointer, interner: UnsafeMutablePointer<TextInterner>?) {
        self.bytes = bytes
        self.interner = interner
    }

    /// The bytes read from `start` up to here.
    func bytes(from start: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }

    public var remaining: Int {
        bytes.count - offset
    }

    public mutating func uint8() throws(WireError) -> UInt8 {
        guard remaining >= 1 else { throw WireError.truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool() throws(WireError) -> Bool {
        switch try uint8() {
        case 0: return false
        case 1: return true
        default: throw WireError.invalid("boolean")
        }
    }

    public mutating func uint32() throws(WireError) -> UInt32 {
        guard remaining >= 4 else { throw WireError.truncated }
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    public mutating func uint64() throws(WireError) -> UInt64 {
        guard remaining >= 8 else { throw WireError.truncated }
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    public mutating func int64() throws(WireError) -> Int64 {
        Int64(bitPattern: try uint64())
    }

    public mutating func string() throws(WireError) -> String {
        let count = Int(try uint32())
        guard remaining >= count else { throw WireError.truncated }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
        offset += count
        // Swift keeps text of up to 15 UTF-8 bytes inside the String itself: no allocation
        // and no reference count, cheaper to make again than to look up.
        if let interner, count > Self.smallStringBytes {
            return try interner.pointee.text(slice, make: Self.text)
        }
        return try Self.text(slice)
    }

    private static let smallStringBytes = 15

    private static func text(_ slice: UnsafeRawBufferPointer) throws(WireError) -> String {
        // Nearly all text on the wire (ids, names, statuses) is ASCII, which is valid UTF-8
        // as it is: only other text needs the full check.
        if isASCII(slice) {
            return String(decoding: slice, as: UTF8.self)
        }
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw WireError.invalid("UTF-8 text")
        }
        return text
    }

    private static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var bits: UInt64 = 0
        while index + 8 <= bytes.count {
            bits |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            bits |= UInt64(bytes[index])
            index += 1
        }
        return bits & 0x8080_8080_8080_8080 == 0
    }

    /// A count of items that follow, each at least `minimumItemBytes` long: a count the
    /// remaining bytes cannot hold is refused before anything is allocated for it.
    public mutating func count(minimumItemBytes: Int) throws(WireError) -> Int {
        let count = Int(try uint32())
        guard count <= remaining / max(1, minimumItemBytes) else { throw WireError.truncated }
        return count
    }

    public mutating func raw(count: Int) throws(WireError) -> [UInt8] {
        guard count >= 0, remaining >= count else { throw WireError.truncated }
        defer { offset += count }
        return Array(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
    }

    /// Throws unless every byte was read.
    public func finish() throws(WireError) {
        guard remaining == 0 else { throw WireError.invalid("trailing bytes") }
    }
}

/// Bytes that are not a valid encoding.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated
    case invalid(String)
    case checksumMismatch
    case frameTooLarge(Int)

    public var description: String {
        switch self {
        case .truncated: return "truncated record"
        case .invalid(let what): return "invalid \(what)"
        case .checksumMismatch: return "checksum mismatch"
        case .frameTooLarge(let bytes): return "frame of \(bytes) bytes is too large"
        }
    }
}
