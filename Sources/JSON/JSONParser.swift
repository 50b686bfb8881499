/// A strict RFC 8259 parser.
///
/// Rejects what lenient parsers accept: trailing commas, comments, leading zeros, `NaN` and
/// `Infinity`, raw control characters and invalid UTF-8 in strings, lone UTF-16 surrogates,
/// duplicate keys, whitespace other than space, tab, CR and LF, and anything but whitespace after
/// the value. Any JSON value may be the document, not only an object or array.
///
/// The parser never traps on its input and never recurses, so no document can exhaust its stack.
/// Destroying, comparing and serializing a `JSONValue` do recurse, one frame per level, which is
/// one more reason to keep `maxDepth` modest. All functions are pure and may be called from any
/// thread.
public enum JSONParser {
    /// The nesting of arrays and objects allowed unless the caller says otherwise.
    public static let defaultMaxDepth = 64

    /// Parses one document from `bytes`.
    ///
    /// - Parameter maxDepth: the deepest nesting of arrays and objects allowed; `[[1]]` has depth
    ///   2 and a lone scalar depth 0. Zero or less allows only a scalar document.
    /// - Returns: the document's value.
    /// - Throws: `JSONError` with the byte offset of the first fault.
    public static func parse(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth
    ) throws(JSONError) -> JSONValue {
        let result = bytes.withUnsafeBytes { input in
            Result { () throws(JSONError) -> JSONValue in try parse(input, maxDepth: maxDepth) }
        }
        return try result.get()
    }

    /// Parses one document from the UTF-8 of `text`; see `parse(_:maxDepth:)` for `[UInt8]`.
    public static func parse(
        _ text: String, maxDepth: Int = defaultMaxDepth
    ) throws(JSONError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { utf8 in
            Result { () throws(JSONError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(utf8), maxDepth: maxDepth)
            }
        }
        return try result.get()
    }

    /// Parses one document from `input`, which is only read during the call; see
    /// `parse(_:maxDepth:)` for `[UInt8]`.
    public static func parse(
        _ input: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(JSONError) -> JSONValue {
        var scanner = Scanner(input: input, maxDepth: maxDepth)
        return try scanner.parseDocument()
    }
}

extension JSONParser {
    /// The parse state: the input, the read position and a buffer reused to unescape strings.
    struct Scanner {
        let input: UnsafeRawBufferPointer
        let maxDepth: Int
        var offset = 0
        var scratch: [UInt8] = []

        init(input: UnsafeRawBufferPointer, maxDepth: Int) {
            self.input = input
            self.maxDepth = maxDepth
        }

        /// An array or object whose closing bracket has not been reached yet.
        private struct OpenContainer {
            let isObject: Bool
            var elements: [JSONValue] = []
            var members: [(key: String, value: JSONValue)] = []
            /// The key read before the value now being parsed.
            var pendingKey = ""
            /// The keys so far, once there are too many to check for duplicates by scanning.
            var keySet: Set<String>?
        }

        /// Returns the document's value, having checked that only whitespace follows it.
        mutating func parseDocument() throws(JSONError) -> JSONValue {
            let value = try parseValue()

            skipWhitespace()
            guard offset == input.count else {
                throw JSONError(
                    .trailingData, at: offset,
                    "unexpected \(ASCII.describe(input[offset])) after the value")
            }
            return value
        }

        /// Reads one value of any kind. Containers are kept on an explicit stack rather than by
        /// recursion, so the depth limit is the only bound on nesting.
        private mutating func parseValue() throws(JSONError) -> JSONValue {
            var open: [OpenContainer] = []

            nextValue: while true {
                skipWhitespace()
                guard offset < input.count else { throw unexpected(expecting: "a value") }
                var value: JSONValue
                switch input[offset] {
                case ASCII.openBrace:
                    try checkDepth(open.count)
                    offset += 1
                    skipWhitespace()
                    if offset < input.count && input[offset] == ASCII.closeBrace {
                        offset += 1
                        value = .object(JSONObject())
                    } else {
                        var container = OpenContainer(isObject: true)
                        try readKey(into: &container)
                        open.append(container)
                        continue nextValue
                    }
                case ASCII.openBracket:
                    try checkDepth(open.count)
                    offset += 1
                    skipWhitespace()
                    if offset < input.count && input[offset] == ASCII.closeBracket {
                        offset += 1
                        value = .array([])
                    } else {
                        open.append(OpenContainer(isObject: false))
                        continue nextValue
                    }
                case ASCII.quote:
                    value = .string(try parseString())
                case ASCII.lowerT:
                    try expectLiteral("true")
                    value = .bool(true)
                case ASCII.lowerF:
                    try expectLiteral("false")
                    value = .bool(false)
                case ASCII.lowerN:
                    try expectLiteral("null")
                    value = .null
                case ASCII.minus, ASCII.zero...ASCII.nine:
                    value = try parseNumber()
                default:
                    throw unexpected(expecting: "a value")
                }

                // Add the value to its container; close every container it completes, stopping
                // at one that continues with ','.
                while let top = open.indices.last {
                    skipWhitespace()
                    if open[top].isObject {
                        open[top].members.append((key: open[top].pendingKey, value: value))
                        guard offset < input.count else {
                            throw unexpected(expecting: "',' or '}'")
                        }
                        if input[offset] == ASCII.comma {
                            offset += 1
                            try readKey(into: &open[top])
                            continue nextValue
                        }
                        guard input[offset] == ASCII.closeBrace else {
                            throw unexpected(expecting: "',' or '}'")
                        }
                        offset += 1
                        value = .object(JSONObject(uniqueMembers: open.removeLast().members))
                    } else {
                        open[top].elements.append(value)
                        guard offset < input.count else {
                            throw unexpected(expecting: "',' or ']'")
                        }
                        if input[offset] == ASCII.comma {
                            offset += 1
                            continue nextValue
                        }
                        guard input[offset] == ASCII.closeBracket else {
                            throw unexpected(expecting: "',' or ']'")
                        }
                        offset += 1
                        value = .array(open.removeLast().elements)
                    }
                }
                return value
            }
        }

        /// Reads `"key" :` into `container.pendingKey`, rejecting a key the object already has.
        private mutating func readKey(into container: inout OpenContainer) throws(JSONError) {
            skipWhitespace()
            guard offset < input.count, input[offset] == ASCII.quote else {
                throw unexpected(expecting: "a string key")
            }
            let keyOffset = offset
            let key = try parseString()

            let isDuplicate: Bool
            if container.members.count < JSONObject.linearScanMemberLimit {
                isDuplicate = container.members.contains { $0.key == key }
            } else {
                if container.keySet == nil {
                    container.keySet = Set(container.members.map(\.key))
                }
                isDuplicate = !container.keySet!.insert(key).inserted
            }
            if isDuplicate {
                throw JSONError(
                    .duplicateKey, at: keyOffset, "duplicate key \(MessageText.quoted(key))")
            }

            skipWhitespace()
            guard offset < input.count, input[offset] == ASCII.colon else {
                throw unexpected(expecting: "':'")
            }
            offset += 1
            container.pendingKey = key
        }

        /// Reads a number and returns it with its literal text.
        private mutating func parseNumber() throws(JSONError) -> JSONValue {
            let start = offset
            offset = try JSONNumberGrammar.scan(input, from: start)
            return .number(makeString(start..<offset))
        }

        /// Consumes `literal` or throws, pointing at its first byte.
        private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
            let start = offset
            let input = self.input
            let matched = literal.withUTF8Buffer { expected in
                var matched = 0
                while matched < expected.count && start + matched < input.count
                    && input[start + matched] == expected[matched]
                {
                    matched += 1
                }
                return matched
            }
            guard matched == literal.utf8CodeUnitCount else {
                if start + matched == input.count {
                    throw JSONError(
                        .unexpectedEndOfInput, at: input.count,
                        "unexpected end of input in literal")
                }
                throw JSONError(
                    .invalidLiteral, at: start, "invalid literal, expected '\(literal)'")
            }
            offset += matched
        }

        /// Throws when opening one more container would exceed `maxDepth`.
        private func checkDepth(_ openCount: Int) throws(JSONError) {
            if openCount >= maxDepth {
                throw JSONError(
                    .depthLimitExceeded, at: offset,
                    "arrays and objects nested deeper than \(max(maxDepth, 0))")
            }
        }

        mutating func skipWhitespace() {
            while offset < input.count && ASCII.isWhitespace(input[offset]) {
                offset += 1
            }
        }

        /// The error for finding something other than `expected` at `offset`.
        func unexpected(expecting expected: String) -> JSONError {
            guard offset < input.count else {
                return JSONError(
                    .unexpectedEndOfInput, at: input.count,
                    "unexpected end of input, expected \(expected)")
            }
            return JSONError(
                .unexpectedCharacter, at: offset,
                "expected \(expected), found \(ASCII.describe(input[offset]))")
        }
    }
}
