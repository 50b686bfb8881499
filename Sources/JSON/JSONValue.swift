/// One JSON value, as parsed by `JSONParser` or built by hand.
///
/// Numbers keep the literal text exactly as written (`"2.50"` stays `"2.50"`), so that prices and
/// money can be read as exact decimals or integers and never pass through floating point.
/// Equality is structural and textual: `.number("1.0")` is not equal to `.number("1")`, and two
/// objects are equal only when their members are equal and in the same order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, which must follow the RFC 8259 grammar. The parser guarantees
    /// it; for text from elsewhere use `JSONValue.number(validating:)`.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Returns `.number` holding `text` when `text` is a valid RFC 8259 number literal (no
    /// leading `+`, no leading zeros, no `NaN` or `Infinity`), and nil otherwise.
    public static func number(validating text: String) -> JSONValue? {
        JSONNumberGrammar.isValid(text) ? .number(text) : nil
    }

    /// Returns `.number` holding the decimal digits of `value`.
    public static func integer(_ value: Int64) -> JSONValue {
        .number(String(value))
    }

    /// True for `.null` only.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The string, or nil when the value is not a string.
    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The boolean, or nil when the value is not a boolean.
    public var boolValue: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// The literal text of a number, or nil when the value is not a number.
    public var numberText: String? {
        if case .number(let text) = self { return text }
        return nil
    }

    /// The number as an `Int64` when its literal is an integer (no fraction, no exponent) that
    /// fits exactly; nil otherwise, including for `1.0` and `1e3`. `-0` gives 0.
    public var int64Value: Int64? {
        guard case .number(let text) = self else { return nil }
        return JSONNumberGrammar.int64(fromLiteral: text)
    }

    /// The elements, or nil when the value is not an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The object, or nil when the value is not an object.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The kind of value with its article, for messages: "a string", "an object", "null".
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Members keep the literal's order; a repeated key replaces the earlier value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}
