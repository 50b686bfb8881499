/// Stream event ids: the epoch as 16 hex digits, a dash, the sequence number, so a client
/// that reconnects with `Last-Event-ID` names a point in one history of the origin.
public enum StreamEventID {
    /// The most bytes an id takes: 16 hex digits, a dash, 20 decimal digits.
    public static let maxBytes = 37

    public static func text(_ position: FeedPosition) -> String {
        String(unsafeUninitializedCapacity: maxBytes) { write(position, into: $0.baseAddress!) }
    }

    /// Writes the id of `position` at `target`, which has room for `maxBytes`, and returns
    /// how many bytes it took. As bytes: every change an edge applies gets one, in its SSE
    /// frame, and making a String for it cost more than the rest of the frame's head.
    public static func write(_ position: FeedPosition, into target: UnsafeMutablePointer<UInt8>)
        -> Int
    {
        FeedPosition.writeHex(position.epoch, into: UnsafeMutableBufferPointer(
            start: target, count: 16))
        target[16] = UInt8(ascii: "-")
        var length = 1
        var rest = position.sequence / 10
        while rest > 0 {
            length += 1
            rest /= 10
        }
        rest = position.sequence
        for index in (17..<(17 + length)).reversed() {
            target[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        return 17 + length
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
