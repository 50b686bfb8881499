/// Key encodings that keep LMDB's byte order meaningful.
public enum StoreKey {
    /// `value` as 8 big-endian bytes, so keys sort in numeric order (sequence numbers, for
    /// instance).
    public static func uint64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// The number in an 8-byte big-endian key; nil when `bytes` is not exactly 8 bytes long.
    public static func uint64(from bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard bytes.count == MemoryLayout<UInt64>.size else {
            return nil
        }
        return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
    }

    /// The number in an 8-byte big-endian key; nil when `bytes` is not exactly 8 bytes long.
    public static func uint64(from bytes: [UInt8]) -> UInt64? {
        bytes.withUnsafeBytes { uint64(from: $0) }
    }
}
