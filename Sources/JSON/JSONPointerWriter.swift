/// Writes JSON through a pointer into memory sized beforehand, for the few documents that
/// are written so often that `Array`'s appends (a capacity and uniqueness check each) cost
/// more than the formatting: a market's document, which an edge writes for every change it
/// applies. The caller lays out the structure itself, as fixed pieces and values.
///
/// Sizing: a piece or an ASCII value takes its length, digits at most 20 bytes, and escaped
/// text at most `maxEscapedBytes` of it. `JSONPointerWriter.bytes(capacity:)` checks that
/// the document fitted.
public struct JSONPointerWriter {
    private let start: UnsafeMutablePointer<UInt8>
    private var cursor: UnsafeMutablePointer<UInt8>

    private init(_ start: UnsafeMutablePointer<UInt8>) {
        self.start = start
        cursor = start
    }

    /// The bytes `write` wrote into at most `capacity` bytes of new memory.
    public static func bytes(capacity: Int, _ write: (inout JSONPointerWriter) -> Void)
        -> [UInt8]
    {
        [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            var writer = JSONPointerWriter(buffer.baseAddress!)
            write(&writer)
            count = writer.cursor - writer.start
            // Past the end would already have overwritten memory: stop before anything
            // else reads it.
            precondition(count <= capacity, "a JSON document outgrew the size reckoned for it")
        }
    }

    /// The most bytes `text` can take escaped: six for each byte (`\u00XX`).
    @inline(__always)
    public static func maxEscapedBytes(_ text: String) -> Int {
        text.utf8.count * 6
    }

    /// A fixed piece of JSON, as it is.
    @inline(__always)
    public mutating func piece(_ text: StaticString) {
        let count = text.utf8CodeUnitCount
        cursor.update(from: text.utf8Start, count: count)
        cursor += count
    }

    @inline(__always)
    public mutating func byte(_ value: UInt8) {
        cursor.pointee = value
        cursor += 1
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

    /// The decimal digits of `value`.
    public mutating func digits(_ value: UInt64) {
        var length = 1
        var rest = value / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        rest = value
        for offset in stride(from: length - 1, through: 0, by: -1) {
            cursor[offset] = ASCII.zero + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        cursor += length
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
        cursor.update(from: base, count: bytes.count)
        cursor += bytes.count
    }
}
