import Glibc

/// The strings a feed decoder has made lately, by their bytes: a market's id, name and
/// selections come again with every change to it, so a decoder hands back the string it
/// made last time instead of checking and copying the bytes again.
///
/// An open-addressing table keyed by the bytes' hash, in plain arrays (hashes, where each
/// entry's bytes lie in one arena, the strings), so a probe copies nothing; only short text
/// is kept (ids and names), and past `maxEntries` the table starts again. A value: its
/// decoder owns it, and lends it to the reader of one frame at a time.
struct TextInterner {
    static let maxTextBytes = 64
    static let maxEntries = 4096

    /// 0 for an empty slot (a hash of 0 is stored as 1). Made on first use, and grown while
    /// the entries fill more than half of it.
    private var hashes: [UInt64] = []
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var texts: [String] = []
    private var arena: [UInt8] = []
    private var count = 0

    /// The string of `bytes`, from the table, or made by `make` and kept.
    mutating func text(
        _ bytes: UnsafeRawBufferPointer, make: (UnsafeRawBufferPointer) throws(WireError) -> String
    ) throws(WireError) -> String {
        guard bytes.count <= Self.maxTextBytes, let base = bytes.baseAddress else {
            return try make(bytes)
        }
        if count * 2 >= hashes.count {
            resize()
        }
        let hash = Self.hash(bytes)
        let mask = hashes.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while hashes[index] != 0 {
            if hashes[index] == hash, Int(lengths[index]) == bytes.count,
                arena.withUnsafeBytes({
                    Self.same($0.baseAddress! + Int(starts[index]), base, count: bytes.count)
                })
            {
                return texts[index]
            }
            index = (index + 1) & mask
        }
        let made = try make(bytes)
        hashes[index] = hash
        starts[index] = Int32(arena.count)
        lengths[index] = Int32(bytes.count)
        texts[index] = made
        arena.append(contentsOf: bytes)
        count += 1
        return made
    }

    /// Eight bytes a step: the text is short, and this runs for every string decoded.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = mix(hash, bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        if offset < bytes.count {
            // The last (partial) word: the final eight bytes when there are eight, else the
            // few there are.
            let tail = bytes.count >= 8
                ? bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
                : partialWord(bytes, from: offset)
            hash = mix(hash, tail)
        }
        // A full finaliser (MurmurHash3's): ids that differ only in their last bytes must
        // still differ in the low bits that pick the slot.
        hash ^= hash >> 33
        hash = hash &* 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash = hash &* 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return max(hash, 1)
    }

    @inline(__always)
    private static func mix(_ hash: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (hash ^ word) &* 0x9E37_79B9_7F4A_7C15
        return mixed ^ (mixed >> 29)
    }

    private static func partialWord(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in offset..<bytes.count {
            word |= UInt64(bytes[index]) << UInt64(8 * (index - offset))
        }
        return word
    }

    /// Whether `count` bytes at `stored` and `bytes` are the same; short ones word by word.
    @inline(__always)
    private static func same(
        _ stored: UnsafeRawPointer, _ bytes: UnsafeRawPointer, count: Int
    ) -> Bool {
        if count >= 8 && count <= 16 {
            return stored.loadUnaligned(as: UInt64.self) == bytes.loadUnaligned(as: UInt64.self)
                && stored.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                    == bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        return memcmp(stored, bytes, count) == 0
    }

    /// Doubles the table (from 256 slots), or empties it once it holds `maxEntries`.
    private mutating func resize() {
        let size = count < Self.maxEntries ? max(256, hashes.count * 2) : hashes.count
        let old = (hashes, starts, lengths, texts)
        let keep = count < Self.maxEntries
        hashes = [UInt64](repeating: 0, count: size)
        starts = [Int32](repeating: 0, count: size)
        lengths = [Int32](repeating: 0, count: size)
        texts = [String](repeating: "", count: size)
        guard keep else {
            arena.removeAll(keepingCapacity: true)
            count = 0
            return
        }
        let mask = size - 1
        for slot in old.0.indices where old.0[slot] != 0 {
            var index = Int(truncatingIfNeeded: old.0[slot]) & mask
            while hashes[index] != 0 { index = (index + 1) & mask }
            hashes[index] = old.0[slot]
            starts[index] = old.1[slot]
            lengths[index] = old.2[slot]
            texts[index] = old.3[slot]
        }
    }
}
