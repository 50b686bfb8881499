/// Rules for the ids of events, markets and selections: 1 to 64 characters from
/// `A-Z a-z 0-9 . _ -`. They appear in URLs and in LMDB keys, so nothing needs escaping.
public enum Identifier {
    public static let maxLength = 64

    /// Whether `text` is a usable id.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        let utf8 = text.utf8
        guard !utf8.isEmpty, utf8.count <= maxLength else { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}
