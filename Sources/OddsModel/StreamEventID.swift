/// Stream event ids: the epoch as 16 hex digits, a dash, the sequence number, so a client
/// that reconnects with `Last-Event-ID` names a point in one history of the origin.
public enum StreamEventID {
    public static func text(_ position: FeedPosition) -> String {
        // Written as bytes: every change an edge applies gets one.
        String(unsafeUninitializedCapacity: 37) { text in
            FeedPosition.writeHex(position.epoch, into: text)
            text[16] = UInt8(ascii: "-")
            var length = 1
            var rest = position.sequence / 10
            while rest > 0 {
                length += 1
                rest /= 10
            }
            rest = position.sequence
            for index in (17..<(17 + length)).reversed() {
                text[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
            return 17 + length
        }
    }

    /// The position an id names; nil when it is not one of ours.
    public static func parse(_ text: some StringProtocol) -> FeedPosition? {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, (1...16).contains(parts[0].utf8.count),
            (1...20).contains(parts[1].utf8.count),
            let epoch = UInt64(parts[0], radix: 16), let sequence = UInt64(parts[1])
        else { return nil }
        return FeedPosition(epoch: epoch, sequence: sequence)
    }
}
