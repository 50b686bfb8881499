/// Why a document was rejected, and where.
///
/// `offset` counts bytes from the start of the input (0-based). `description` reads like
/// `expected ',' or '}' at byte 17`.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The broad class of the fault, for callers and tests that branch on it.
    public let kind: Kind
    /// The byte offset of the fault. At most the input's length.
    public let offset: Int
    /// A short message without the offset, such as `expected ',' or '}'`.
    public let message: String

    init(_ kind: Kind, at offset: Int, _ message: String) {
        self.kind = kind
        self.offset = offset
        self.message = message
    }

    public var description: String {
        "\(message) at byte \(offset)"
    }

    /// The broad class of a parse fault. New kinds may be added.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: String, Sendable, Hashable {
            case unexpectedEndOfInput = "unexpected end of input"
            case unexpectedCharacter = "unexpected character"
            case invalidLiteral = "invalid literal"
            case invalidNumber = "invalid number"
            case invalidEscape = "invalid escape"
            case invalidUTF8 = "invalid UTF-8"
            case controlCharacterInString = "control character in string"
            case duplicateKey = "duplicate key"
            case depthLimitExceeded = "depth limit exceeded"
            case trailingData = "trailing data"
        }

        private let code: Code

        private init(_ code: Code) {
            self.code = code
        }

        /// The input ended inside a value.
        public static let unexpectedEndOfInput = Kind(.unexpectedEndOfInput)
        /// A byte that cannot start or continue what the grammar expects at that point.
        public static let unexpectedCharacter = Kind(.unexpectedCharacter)
        /// Something that starts like `true`, `false` or `null` but is not.
        public static let invalidLiteral = Kind(.invalidLiteral)
        /// A number outside the RFC 8259 grammar: leading zeros, a bare `-`, `1.`, `1e`.
        public static let invalidNumber = Kind(.invalidNumber)
        /// An unknown escape, bad `\u` hex digits, or a lone UTF-16 surrogate.
        public static let invalidEscape = Kind(.invalidEscape)
        /// A string holding bytes that are not well-formed UTF-8.
        public static let invalidUTF8 = Kind(.invalidUTF8)
        /// A raw byte below 0x20 inside a string.
        public static let controlCharacterInString = Kind(.controlCharacterInString)
        /// A key that appears twice in one object.
        public static let duplicateKey = Kind(.duplicateKey)
        /// Arrays and objects nested deeper than the parser's `maxDepth`.
        public static let depthLimitExceeded = Kind(.depthLimitExceeded)
        /// Something other than whitespace after the document's value.
        public static let trailingData = Kind(.trailingData)

        public var description: String {
            code.rawValue
        }
    }
}
