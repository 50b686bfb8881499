/// Rules for the ids of events, markets and selections: 1 to 64 characters from
/// `A-Z a-z 0-9 . _ -`. They appear in URLs and in LMDB keys, so nothing needs escaping.
public enum Identifier {
    public static let maxLength = 64

    /// Whether `text` is a usable id.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        // Through the UTF-8 bytes in place: a generic walk over the view, unspecialised
        // across modules, cost thousands of instructions per id on the bet path.
        text.utf8.withContiguousStorageIfAvailable(isValid(bytes:))
            ?? Array(text.utf8).withUnsafeBufferPointer(isValid(bytes:))
    }

    /// Whether `bytes` are a usable id.
    public static func isValid(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }
}
