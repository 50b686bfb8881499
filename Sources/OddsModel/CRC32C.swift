import CSystem

/// CRC-32C (Castagnoli), the checksum on every feed frame: with the processor's CRC32
/// instruction where there is one, else table-driven. No I/O.
public enum CRC32C {
    /// Whether the processor computes CRC-32C itself (checked once).
    static let hardware = oddsnet_crc32c_available() != 0

    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
        return crc
    }

    /// The checksum of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        if hardware {
            guard let base = bytes.baseAddress else { return 0 }
            return oddsnet_crc32c_update(
                0xFFFF_FFFF, base.assumingMemoryBound(to: UInt8.self), bytes.count) ^ 0xFFFF_FFFF
        }
        return tableChecksum(bytes)
    }

    /// The table-driven checksum, for processors without the instruction (and to check it).
    static func tableChecksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }
}
