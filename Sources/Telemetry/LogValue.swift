/// One metadata value on a log line, written as the matching JSON type.
///
/// Literals convert directly (`["market.id": 42, "cached": true]`); other integers go through
/// `init(_:)`.
public enum LogValue: Sendable, Hashable {
    case string(String)
    case int(Int64)
    case double(Double)
    case bool(Bool)

    /// Wraps any integer. One that does not fit in `Int64` (a large `UInt64`) keeps its exact
    /// digits as a string rather than being clamped.
    public init(_ value: some BinaryInteger) {
        if let exact = Int64(exactly: value) {
            self = .int(exact)
        } else {
            self = .string(String(value))
        }
    }

    /// Wraps a string.
    public init(_ value: String) {
        self = .string(value)
    }

    /// Wraps a floating-point number; non-finite values are written as strings.
    public init(_ value: Double) {
        self = .double(value)
    }
}

/// Metadata for a log line: dotted keys (`edge.id`, `market.id`) written as flat JSON keys.
public typealias LogMetadata = [String: LogValue]

extension LogValue: ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension LogValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .int(value)
    }
}

extension LogValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) {
        self = .double(value)
    }
}

extension LogValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension LogValue: CustomStringConvertible {
    /// The value as plain text: strings unquoted, non-finite doubles as "NaN", "+Inf", "-Inf".
    public var description: String {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): value.telemetryText
        case .bool(let value): value ? "true" : "false"
        }
    }
}

extension LogValue {
    /// Appends the value as JSON: numbers and booleans bare, everything else a quoted string.
    func appendJSON(to buffer: inout [UInt8]) {
        switch self {
        case .string(let value):
            buffer.appendJSONString(value)
        case .int(let value):
            buffer.append(contentsOf: String(value).utf8)
        case .double(let value) where value.isFinite:
            buffer.append(contentsOf: String(value).utf8)
        case .double(let value):
            buffer.appendJSONString(value.telemetryText)
        case .bool(let value):
            buffer.append(contentsOf: (value ? "true" : "false").utf8)
        }
    }
}

extension Double {
    /// The shortest text that reads back as the same value, with Prometheus's spellings for the
    /// values that JSON cannot hold: "NaN", "+Inf", "-Inf".
    var telemetryText: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-Inf" : "+Inf" }
        return String(self)
    }
}

extension Array where Element == UInt8 {
    /// Appends `text` as a quoted JSON string. Quote, backslash and control characters are
    /// escaped; everything else, non-ASCII included, passes through as UTF-8.
    mutating func appendJSONString(_ text: String) {
        append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\n"): append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                append(contentsOf: #"\u00"#.utf8)
                append(hexDigit(byte >> 4))
                append(hexDigit(byte & 0x0F))
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    private func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
