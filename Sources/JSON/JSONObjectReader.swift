/// Reads the members of one JSON object as typed values and catches keys that nobody read.
///
/// Every accessor marks its key as read. `finish()` then fails on the first key, in document
/// order, that was never read, so that a misspelt option in a configuration file is an error
/// rather than a silently ignored line. Errors name the field's full path from the root.
///
/// Accessors with a default, and those named `optional...`, treat an explicit `null` like a
/// missing key; the required ones report `null` as the wrong type. Integers must be written
/// without fraction or exponent (`1.5` and `1e3` are errors) and fit in an `Int64`.
///
/// ```
/// var listener = try JSONObjectReader(element, path: "edge.listeners[0]")
/// let address = try listener.string("address")
/// let port = try listener.int("port", range: 1...65535)
/// try listener.finish()
/// ```
public struct JSONObjectReader: Sendable {
    /// The object's path from the root, such as `edge.listeners[0]`; empty for the root.
    /// Made only when asked for (an error message): a batch of thousands of objects reads
    /// each with a reader, and formatting every element's path cost more than reading it.
    public var path: String {
        index.map { "\(basePath)[\($0)]" } ?? basePath
    }

    private let basePath: String
    /// The object's index in the array at `basePath`, for an element of an array.
    private let index: Int?
    private let object: JSONObject
    /// Whether each member, by position, has been read: bits of `readMask` for the first
    /// 64, `readBeyondMask` for the rest (objects that large are rare).
    private var readMask: UInt64 = 0
    private var readBeyondMask: [Bool] = []

    /// A reader for `value`, which must be an object, found at `path`.
    ///
    /// - Throws: `JSONFieldError` at `path` when `value` is not an object.
    public init(_ value: JSONValue, path: String) throws(JSONFieldError) {
        try self.init(value, basePath: path, index: nil)
    }

    /// A reader for `value`, element `index` of the array at `path` (its own path is
    /// `path[index]`).
    public init(_ value: JSONValue, elementOf path: String, at index: Int)
        throws(JSONFieldError)
    {
        try self.init(value, basePath: path, index: index)
    }

    private init(_ value: JSONValue, basePath: String, index: Int?) throws(JSONFieldError) {
        self.basePath = basePath
        self.index = index
        guard case .object(let object) = value else {
            self.object = JSONObject()
            throw JSONFieldError(
                path: path, message: "expected an object, found \(value.kindDescription)")
        }
        self.object = object
        if object.count > 64 {
            readBeyondMask = Array(repeating: false, count: object.count - 64)
        }
    }

    /// Returns the full path of the member `key`, such as `edge.listeners[0].port`.
    public func path(of key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// Returns the full path of element `index` of the array member `key`, such as
    /// `edge.listeners[1]`.
    public func path(of key: String, index: Int) -> String {
        "\(path(of: key))[\(index)]"
    }

    /// True when the object has a member `key`, even a `null` one. Does not mark it as read.
    public func contains(_ key: String) -> Bool {
        object.position(of: key) != nil
    }

    /// Succeeds when every member has been read.
    ///
    /// - Throws: `JSONFieldError` at this object's path, with a message like
    ///   `unknown key "lisen"`, for the first unread member in document order.
    public func finish() throws(JSONFieldError) {
        let unreadInMask = ~readMask & Self.mask(forCount: Swift.min(object.count, 64))
        let position: Int
        if unreadInMask != 0 {
            position = unreadInMask.trailingZeroBitCount
        } else if let beyond = readBeyondMask.firstIndex(of: false) {
            position = 64 + beyond
        } else {
            return
        }
        let key = object.members[position].key
        throw JSONFieldError(path: path, message: "unknown key \(MessageText.quoted(key))")
    }

    // MARK: Any value

    /// Returns the member's value, whatever its type, including `null`.
    ///
    /// - Throws: `JSONFieldError` when the key is missing.
    public mutating func value(_ key: String) throws(JSONFieldError) -> JSONValue {
        guard let value = take(key) else { throw missing(key) }
        return value
    }

    /// Returns the member's value, whatever its type, including `null`; nil when missing.
    public mutating func optionalValue(_ key: String) -> JSONValue? {
        take(key)
    }

    // MARK: Strings

    /// Returns the member's string.
    ///
    /// - Throws: `JSONFieldError` when the key is missing or the value is not a string.
    public mutating func string(_ key: String) throws(JSONFieldError) -> String {
        try stringContent(try value(key), key)
    }

    /// Returns the member's string, or `defaultValue` when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` when the value is neither a string nor `null`.
    public mutating func string(
        _ key: String, default defaultValue: String
    ) throws(JSONFieldError) -> String {
        try optionalString(key) ?? defaultValue
    }

    /// Returns the member's string, or nil when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` when the value is neither a string nor `null`.
    public mutating func optionalString(_ key: String) throws(JSONFieldError) -> String? {
        guard let value = takeNonNull(key) else { return nil }
        return try stringContent(value, key)
    }

    // MARK: Integers

    /// Returns the member's integer, checked against `range` when one is given.
    ///
    /// - Throws: `JSONFieldError` when the key is missing, the value is not an integer literal
    ///   that fits in an `Int64`, or it lies outside `range`.
    public mutating func int(
        _ key: String, range: ClosedRange<Int64>? = nil
    ) throws(JSONFieldError) -> Int64 {
        try integer(try value(key), key, range)
    }

    /// Returns the member's integer, or `defaultValue` when the key is missing or `null`. The
    /// default is not checked against `range`.
    ///
    /// - Throws: `JSONFieldError` as `int(_:range:)` does, except for a missing key.
    public mutating func int(
        _ key: String, default defaultValue: Int64, range: ClosedRange<Int64>? = nil
    ) throws(JSONFieldError) -> Int64 {
        try optionalInt(key, range: range) ?? defaultValue
    }

    /// Returns the member's integer, or nil when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` as `int(_:range:)` does, except for a missing key.
    public mutating func optionalInt(
        _ key: String, range: ClosedRange<Int64>? = nil
    ) throws(JSONFieldError) -> Int64? {
        guard let value = takeNonNull(key) else { return nil }
        return try integer(value, key, range)
    }

    // MARK: Booleans

    /// Returns the member's boolean.
    ///
    /// - Throws: `JSONFieldError` when the key is missing or the value is not `true` or `false`.
    public mutating func bool(_ key: String) throws(JSONFieldError) -> Bool {
        try boolean(try value(key), key)
    }

    /// Returns the member's boolean, or `defaultValue` when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` when the value is neither a boolean nor `null`.
    public mutating func bool(
        _ key: String, default defaultValue: Bool
    ) throws(JSONFieldError) -> Bool {
        try optionalBool(key) ?? defaultValue
    }

    /// Returns the member's boolean, or nil when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` when the value is neither a boolean nor `null`.
    public mutating func optionalBool(_ key: String) throws(JSONFieldError) -> Bool? {
        guard let value = takeNonNull(key) else { return nil }
        return try boolean(value, key)
    }

    // MARK: Number text

    /// Returns the literal text of a number given either bare or as a string: `2.50` and
    /// `"2.50"` both give `2.50`. A string must hold exactly an RFC 8259 number literal. Use this
    /// for decimal prices, which must not pass through floating point.
    ///
    /// - Throws: `JSONFieldError` when the key is missing or the value is neither a number nor a
    ///   string holding one.
    public mutating func numberText(_ key: String) throws(JSONFieldError) -> String {
        try numberLiteral(try value(key), key)
    }

    /// Returns the member's number text, or `defaultValue` when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` as `numberText(_:)` does, except for a missing key.
    public mutating func numberText(
        _ key: String, default defaultValue: String
    ) throws(JSONFieldError) -> String {
        try optionalNumberText(key) ?? defaultValue
    }

    /// Returns the member's number text, or nil when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` as `numberText(_:)` does, except for a missing key.
    public mutating func optionalNumberText(_ key: String) throws(JSONFieldError) -> String? {
        guard let value = takeNonNull(key) else { return nil }
        return try numberLiteral(value, key)
    }

    // MARK: Objects and arrays

    /// Returns a reader for the member's object, at path `self.path.key`. Call `finish()` on it
    /// as well.
    ///
    /// - Throws: `JSONFieldError` when the key is missing or the value is not an object.
    public mutating func object(_ key: String) throws(JSONFieldError) -> JSONObjectReader {
        try JSONObjectReader(try value(key), path: path(of: key))
    }

    /// Returns a reader for the member's object, or nil when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` when the value is neither an object nor `null`.
    public mutating func optionalObject(
        _ key: String
    ) throws(JSONFieldError) -> JSONObjectReader? {
        guard let value = takeNonNull(key) else { return nil }
        return try JSONObjectReader(value, path: path(of: key))
    }

    /// Returns the member's array. To report a fault in element `i`, use `path(of:index:)`.
    ///
    /// - Throws: `JSONFieldError` when the key is missing or the value is not an array.
    public mutating func array(_ key: String) throws(JSONFieldError) -> [JSONValue] {
        try elements(try value(key), key)
    }

    /// Returns the member's array, or nil when the key is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` when the value is neither an array nor `null`.
    public mutating func optionalArray(_ key: String) throws(JSONFieldError) -> [JSONValue]? {
        guard let value = takeNonNull(key) else { return nil }
        return try elements(value, key)
    }

    /// Returns a reader for each element of the member's array of objects, at paths like
    /// `self.path.key[2]`. Call `finish()` on each.
    ///
    /// - Throws: `JSONFieldError` when the key is missing, the value is not an array, or an
    ///   element is not an object.
    public mutating func objectArray(_ key: String) throws(JSONFieldError) -> [JSONObjectReader] {
        try objectReaders(try array(key), key)
    }

    /// Returns a reader for each element of the member's array of objects, or nil when the key
    /// is missing or `null`.
    ///
    /// - Throws: `JSONFieldError` as `objectArray(_:)` does, except for a missing key.
    public mutating func optionalObjectArray(
        _ key: String
    ) throws(JSONFieldError) -> [JSONObjectReader]? {
        guard let elements = try optionalArray(key) else { return nil }
        return try objectReaders(elements, key)
    }

    // MARK: Lookup and conversion

    /// The low `count` bits set, for `count` from 0 to 64.
    private static func mask(forCount count: Int) -> UInt64 {
        count >= 64 ? .max : (1 << UInt64(count)) - 1
    }

    /// Marks `key` as read and returns its value, or nil when there is no such member.
    private mutating func take(_ key: String) -> JSONValue? {
        guard let position = object.position(of: key) else { return nil }
        if position < 64 {
            readMask |= 1 << UInt64(position)
        } else {
            readBeyondMask[position - 64] = true
        }
        return object.members[position].value
    }

    /// As `take(_:)`, but nil for a `null` value too.
    private mutating func takeNonNull(_ key: String) -> JSONValue? {
        guard let value = take(key), !value.isNull else { return nil }
        return value
    }

    private func stringContent(_ value: JSONValue, _ key: String) throws(JSONFieldError)
        -> String
    {
        guard case .string(let text) = value else {
            throw mismatch(key, expected: "a string", value)
        }
        return text
    }

    private func boolean(_ value: JSONValue, _ key: String) throws(JSONFieldError) -> Bool {
        guard case .bool(let flag) = value else {
            throw mismatch(key, expected: "a boolean", value)
        }
        return flag
    }

    private func elements(
        _ value: JSONValue, _ key: String
    ) throws(JSONFieldError) -> [JSONValue] {
        guard case .array(let elements) = value else {
            throw mismatch(key, expected: "an array", value)
        }
        return elements
    }

    private func objectReaders(
        _ elements: [JSONValue], _ key: String
    ) throws(JSONFieldError) -> [JSONObjectReader] {
        var readers: [JSONObjectReader] = []
        readers.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            readers.append(try JSONObjectReader(element, elementOf: path(of: key), at: index))
        }
        return readers
    }

    private func integer(
        _ value: JSONValue, _ key: String, _ range: ClosedRange<Int64>?
    ) throws(JSONFieldError) -> Int64 {
        guard case .number(let text) = value else {
            throw mismatch(key, expected: "an integer", value)
        }
        let isIntegerLiteral = !text.utf8.contains { byte in
            byte == ASCII.period || byte == ASCII.lowerE || byte == ASCII.upperE
        }
        guard isIntegerLiteral else {
            throw JSONFieldError(
                path: path(of: key), message: "expected an integer, found \(text)")
        }
        guard let integer = JSONNumberGrammar.int64(fromLiteral: text) else {
            throw JSONFieldError(path: path(of: key), message: outOfRange(text, range))
        }
        if let range, !range.contains(integer) {
            throw JSONFieldError(path: path(of: key), message: outOfRange(text, range))
        }
        return integer
    }

    private func numberLiteral(
        _ value: JSONValue, _ key: String
    ) throws(JSONFieldError) -> String {
        switch value {
        case .number(let text):
            return text
        case .string(let text) where JSONNumberGrammar.isValid(text):
            return text
        case .string(let text):
            throw JSONFieldError(
                path: path(of: key),
                message: "expected a number, found \(MessageText.quoted(text))")
        default:
            throw mismatch(key, expected: "a number", value)
        }
    }

    private func outOfRange(_ literal: String, _ range: ClosedRange<Int64>?) -> String {
        guard let range else { return "integer \(literal) does not fit in 64 bits" }
        return "must be from \(range.lowerBound) to \(range.upperBound), found \(literal)"
    }

    private func missing(_ key: String) -> JSONFieldError {
        JSONFieldError(path: path(of: key), message: "required key is missing")
    }

    private func mismatch(_ key: String, expected: String, _ value: JSONValue) -> JSONFieldError {
        JSONFieldError(
            path: path(of: key), message: "expected \(expected), found \(value.kindDescription)")
    }
}
