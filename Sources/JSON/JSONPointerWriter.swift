/// Writes JSON through a pointer into memory sized beforehand, for the few documents that
/// are written so often that `Array`'s appends (a capacity and uniqueness check each) cost
/// more than the formatting: a market's document, which an edge writes for every change it
/// applies. The caller lays out the structure itself, as fixed pieces and values.
///
/// Sizing: a piece or an ASCII value takes its length, digits at most 20 bytes, and escaped
/// text at most `maxEscapedBytes` of it. `JSONPointerWriter.bytes(capacity:)` checks that
/// the document fitted.
public struct JSONPointerWriter {
    // Usable from inline code: the one-line writers below are inlined into the modules that
    // write documents (a call each cost more than the bytes it wrote).
    @usableFromInline let start: UnsafeMutablePointer<UInt8>
    @usableFromInline var cursor: UnsafeMutablePointer<UInt8>

    private init(_ start: UnsafeMutablePointer<UInt8>) {
        self.start = start
        cursor = start
    }

    /// The bytes `write` wrote into at most `capacity` bytes of scratch memory.
    public static func bytes(capacity: Int, _ write: (inout JSONPointerWriter) -> Void)
        -> [UInt8]
    {
        ByteArrays.make(capacity: capacity) { start in
            var writer = JSONPointerWriter(start)
            write(&writer)
            return writer.cursor - writer.start
        }
    }

    /// The most bytes `text` can take escaped: six for each byte (`\u00XX`).
    @inline(__always)
    public static func maxEscapedBytes(_ text: String) -> Int {
        text.utf8.count * 6
    }

    /// A fixed piece of JSON, as it is.
    @inlinable @inline(__always)
    public mutating func piece(_ text: StaticString) {
        copy(UnsafeRawPointer(text.utf8Start), count: text.utf8CodeUnitCount)
    }

    @inlinable @inline(__always)
    public mutating func byte(_ value: UInt8) {
        cursor.pointee = value
        cursor += 1
    }

    /// Bytes already encoded (a document written before), as they are.
    public mutating func raw(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { copy($0) }
    }

    /// The inside of a JSON string: `text` escaped as `JSONWriter.string` escapes it.
    public mutating func escaped(_ text: String) {
        let plain = text.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8
            where byte < ASCII.firstPrintable || byte == ASCII.quote || byte == ASCII.backslash {
                return false
            }
            copy(utf8)
            return true
        }
        guard plain != true else { return }
        var escaped: [UInt8] = []
        JSONWriter.appendEscaped(text, to: &escaped)
        escaped.withUnsafeBufferPointer { copy($0) }
    }

    /// Text known to need no escaping (an enumeration's raw value), as it is.
    public mutating func plain(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ copy($0) }) == nil {
            var text = text
            text.withUTF8 { copy($0) }
        }
    }

    /// Lets `write` put exactly `count` bytes at the cursor (a fixed-width field such as a
    /// timestamp), then moves past them.
    @inlinable @inline(__always)
    public mutating func fixed(
        _ count: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Void
    ) {
        write(UnsafeMutableBufferPointer(start: cursor, count: count))
        cursor += count
    }

    /// Lets `write` put at most `maxCount` bytes at the cursor and say how many it put, then
    /// moves past them.
    @inlinable @inline(__always)
    public mutating func upTo(
        _ maxCount: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int
    ) {
        let count = write(cursor)
        precondition(count >= 0 && count <= maxCount, "wrote past the bytes reckoned for it")
        cursor += count
    }

    /// The decimal digits of `value`.
    public mutating func digits(_ value: UInt64) {
        var length = 1
        var bound: UInt64 = 10
        while value >= bound && length < 19 {
            length += 1
            bound &*= 10
        }
        if value >= bound {
            length += 1
        }
        var rest = value
        var end = cursor + length
        // Two digits a step, from a table of "00" to "99".
        while rest >= 100 {
            let pair = Int(rest % 100) * 2
            rest /= 100
            end -= 2
            end[0] = Self.pairs[pair]
            end[1] = Self.pairs[pair + 1]
        }
        if rest >= 10 {
            let pair = Int(rest) * 2
            end -= 2
            end[0] = Self.pairs[pair]
            end[1] = Self.pairs[pair + 1]
        } else {
            end -= 1
            end[0] = ASCII.zero + UInt8(truncatingIfNeeded: rest)
        }
        cursor += length
    }

    /// The decimal digits of `value`, with a minus sign when it is negative.
    public mutating func integer(_ value: Int64) {
        if value < 0 {
            byte(UInt8(ascii: "-"))
        }
        digits(value.magnitude)
    }

    private static let pairs: [UInt8] = (0..<100).flatMap { number in
        [ASCII.zero + UInt8(number / 10), ASCII.zero + UInt8(number % 10)]
    }

    /// The decimal digits of `value`, with leading zeros to make `width` of them.
    public mutating func digits(_ value: UInt64, width: Int) {
        var length = 1
        var rest = value / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        for _ in length..<max(length, width) {
            byte(ASCII.zero)
        }
        digits(value)
    }

    private mutating func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        copy(UnsafeRawPointer(base), count: bytes.count)
    }

    /// Copies `count` bytes; the short copies that make up most of a document (keys, ids,
    /// names) as two overlapping words instead of a call to memmove.
    @inlinable @inline(__always)
    mutating func copy(_ source: UnsafeRawPointer, count: Int) {
        let target = UnsafeMutableRawPointer(cursor)
        if count >= 8 && count <= 16 {
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: count - 8, as: UInt64.self)
        } else if count < 8 {
            for index in 0..<count {
                target.storeBytes(
                    of: source.load(fromByteOffset: index, as: UInt8.self),
                    toByteOffset: index, as: UInt8.self)
            }
        } else {
            target.copyMemory(from: source, byteCount: count)
        }
        cursor += count
    }
}
