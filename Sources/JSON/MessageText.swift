/// Pieces of error messages built from document content.
enum MessageText {
    /// The most characters of a key or string shown in a message, so that a hostile document
    /// cannot make one error flood a log.
    static let maxQuotedCharacters = 40

    /// `text` in double quotes, cut to `maxQuotedCharacters` with `...` when longer.
    static func quoted(_ text: String) -> String {
        guard text.count > maxQuotedCharacters else { return "\"\(text)\"" }
        return "\"\(text.prefix(maxQuotedCharacters))...\""
    }
}
