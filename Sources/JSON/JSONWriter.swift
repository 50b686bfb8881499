/// Writes compact JSON straight into bytes.
///
/// Commas are placed automatically. The writer does not check structure: the caller opens and
/// closes containers in matching pairs and gives a `key` before each value in an object. Any
/// value, not only an object or array, may be the whole document.
///
/// ```
/// var writer = JSONWriter(capacity: 64)
/// writer.beginObject()
/// writer.key("price")
/// writer.rawNumber("2.375")
/// writer.endObject()
/// // writer.bytes holds {"price":2.375}
/// ```
///
/// A writer is a value; use it from one thread at a time.
public struct JSONWriter: Sendable {
    /// The JSON written so far.
    public var bytes: [UInt8]

    /// Whether the next key or value follows a sibling and so needs a comma before it.
    private var needsComma = false

    /// A writer whose buffer has room for `capacity` bytes before it grows.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties `bytes`, keeping its storage, to write another document.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        needsComma = false
    }

    public mutating func beginObject() {
        separate()
        bytes.append(ASCII.openBrace)
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(ASCII.closeBrace)
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(ASCII.openBracket)
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(ASCII.closeBracket)
        needsComma = true
    }

    /// Writes a member's key and the colon; the member's value comes next.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(ASCII.colon)
        needsComma = false
    }

    /// Writes `text` as a string, escaping the quote, the backslash and control characters.
    /// Other characters, including non-ASCII ones, are written as UTF-8.
    public mutating func string(_ text: String) {
        separate()
        appendQuoted(text)
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separate()
        if value < 0 {
            bytes.append(ASCII.minus)
        }
        appendDecimalDigits(value.magnitude)
        needsComma = true
    }

    public mutating func uint(_ value: UInt64) {
        separate()
        appendDecimalDigits(value)
        needsComma = true
    }

    public mutating func bool(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: flag ? Self.trueBytes : Self.falseBytes)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullBytes)
        needsComma = true
    }

    /// Writes `text` as a number literal, unchanged, so that a decimal price keeps its exact
    /// digits. `text` must follow the RFC 8259 number grammar; debug builds assert that it does,
    /// release builds do not check. Validate untrusted text with `JSONValue.number(validating:)`.
    public mutating func rawNumber(_ text: String) {
        assert(JSONNumberGrammar.isValid(text), "not a JSON number literal: \(text)")
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    /// Splices in `encoded`, which must be one complete JSON value, such as bytes cached from an
    /// earlier writer. It is not checked.
    public mutating func raw(_ encoded: [UInt8]) {
        separate()
        bytes.append(contentsOf: encoded)
        needsComma = true
    }

    /// Lets `write` append one complete JSON value's bytes straight to the buffer, for a
    /// type that formats itself faster than key by key (see `appendEscaped`). Not checked.
    public mutating func raw(_ write: (inout [UInt8]) -> Void) {
        separate()
        write(&bytes)
        needsComma = true
    }

    /// Appends `text` to `bytes` as the inside of a JSON string (no quotes), escaped as
    /// `string` escapes it.
    public static func appendEscaped(_ text: String, to bytes: inout [UInt8]) {
        // Most text (keys, ids, prices) needs no escape: copy it in one piece.
        if let done = text.utf8.withContiguousStorageIfAvailable({ utf8 -> Bool in
            for byte in utf8
            where byte < ASCII.firstPrintable || byte == ASCII.quote || byte == ASCII.backslash {
                return false
            }
            bytes.append(contentsOf: utf8)
            return true
        }), done {
            return
        }
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < ASCII.firstPrintable || byte == ASCII.quote || byte == ASCII.backslash
                else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                appendEscape(for: byte, to: &bytes)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
    }

    /// Writes `value` and everything inside it.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null:
            null()
        case .bool(let flag):
            bool(flag)
        case .number(let text):
            rawNumber(text)
        case .string(let text):
            string(text)
        case .array(let elements):
            beginArray()
            for element in elements {
                self.value(element)
            }
            endArray()
        case .object(let object):
            beginObject()
            for member in object.members {
                key(member.key)
                self.value(member.value)
            }
            endObject()
        }
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)

    private mutating func separate() {
        if needsComma {
            bytes.append(ASCII.comma)
        }
    }

    /// Appends the digits of `value` without building a String.
    private mutating func appendDecimalDigits(_ value: UInt64) {
        let start = bytes.count
        var rest = value
        repeat {
            bytes.append(ASCII.zero + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    /// Appends `text` in quotes, escaped.
    private mutating func appendQuoted(_ text: String) {
        bytes.append(ASCII.quote)
        Self.appendEscaped(text, to: &bytes)
        bytes.append(ASCII.quote)
    }

    /// Appends the escape for a quote, backslash or control character: the short form where
    /// JSON has one, `\u00XX` otherwise.
    private static func appendEscape(for byte: UInt8, to bytes: inout [UInt8]) {
        let shortForm: UInt8?
        switch byte {
        case ASCII.quote: shortForm = ASCII.quote
        case ASCII.backslash: shortForm = ASCII.backslash
        case 0x08: shortForm = ASCII.lowerB
        case 0x0C: shortForm = ASCII.lowerF
        case ASCII.lineFeed: shortForm = ASCII.lowerN
        case ASCII.carriageReturn: shortForm = ASCII.lowerR
        case ASCII.tab: shortForm = ASCII.lowerT
        default: shortForm = nil
        }

        bytes.append(ASCII.backslash)
        if let shortForm {
            bytes.append(shortForm)
            return
        }
        let hexDigits: StaticString = "0123456789abcdef"
        hexDigits.withUTF8Buffer { digits in
            bytes.append(ASCII.lowerU)
            bytes.append(ASCII.zero)
            bytes.append(ASCII.zero)
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
    }
}
