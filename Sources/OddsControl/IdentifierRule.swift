import OddsModel

/// Words for an id that breaks the rule of `Identifier`, the same rule the origin applies.
enum IdentifierRule {
    /// Why `id` is not an id, such as `id "a b" must be 1 to 64 characters from A-Z a-z 0-9
    /// . _ -`. Long or odd text is cut short so that the message stays one line.
    static func describe(_ id: some StringProtocol, what: String = "id") -> String {
        let shown = TerminalText.sanitized(String(id.prefix(70)))
        return "\(what) \"\(shown)\" must be 1 to \(Identifier.maxLength) characters from "
            + "A-Z a-z 0-9 . _ -"
    }
}
