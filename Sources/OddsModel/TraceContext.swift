/// W3C trace context (`traceparent: 00-<trace id>-<span id>-<flags>`), as far as the
/// audit trail needs it.
public enum TraceContext {
    /// The trace id of a `traceparent` value: its second field, 32 lowercase hex digits, when
    /// the value has four non-empty fields split by `-`; else empty. Read from the bytes in
    /// place: every bet carries one.
    public static func traceID(ofTraceParent traceparent: String?) -> String {
        guard var traceparent else { return "" }
        return traceparent.withUTF8 { bytes in
            var dashes = (first: -1, second: -1, third: -1)
            var count = 0
            for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "-") {
                count += 1
                switch count {
                case 1: dashes.first = offset
                case 2: dashes.second = offset
                case 3: dashes.third = offset
                default: return ""
                }
            }
            guard count == 3, dashes.first > 0, dashes.second - dashes.first == 33,
                dashes.third - dashes.second > 1, dashes.third < bytes.count - 1
            else { return "" }
            let id = UnsafeBufferPointer(rebasing: bytes[(dashes.first + 1)..<dashes.second])
            guard id.allSatisfy(isLowercaseHexDigit) else { return "" }
            return String(decoding: id, as: UTF8.self)
        }
    }

    private static func isLowercaseHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
