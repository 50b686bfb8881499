import Glibc
import Transport

/// Responses built for stored records, kept per loop thread and reused while the record and
/// the freshness headers stay the same: a repeated read costs an LMDB lookup of the record's
/// header and no formatting or copying. Entries are checked against the store on every
/// read, so a cached response is never older than the store.
///
/// Keyed by the record id's bytes in an open-addressing table, so a lookup hashes the bytes
/// once and allocates nothing (a Dictionary would want an array key made for each lookup).
/// One thread only.
final class ResponseCache {
    struct Entry {
        /// The store's commit count (`StoreEnvironment.commits`) when the entry was last
        /// checked against the store: while it has not moved, no lookup is needed.
        var generation: UInt64
        var version: UInt64
        var publishedAtMicros: Int64
        var epoch: UInt64
        var ageSeconds: Int64
        var stale: Bool
        var etag: String
        var response: HTTPResponse
    }

    private struct Slot {
        var hash: UInt64
        var key: [UInt8]
        var entry: Entry
    }

    /// Past this many entries the cache starts again (a card has thousands of markets).
    static let maxEntries = 100_000
    private static let initialCapacity = 1024

    // Unchecked: one thread only (see above), and every access is a short read or write of a
    // slot, none held across a call that could reach the cache again. The dynamic checks
    // otherwise cost about 120 instructions a read.
    @exclusivity(unchecked)
    private var slots: [Slot?] = Array(repeating: nil, count: ResponseCache.initialCapacity)
    @exclusivity(unchecked)
    private(set) var count = 0

    /// The entry for `key` when `isCurrent` accepts it, else nil. An accepted entry is
    /// stamped with `generation`: it was found current against the store at that point.
    func entry(
        for key: UnsafeRawBufferPointer, stamping generation: UInt64,
        where isCurrent: (borrowing Entry) -> Bool
    ) -> (response: HTTPResponse, etag: String)? {
        guard let index = find(key), isCurrent(slots[index]!.entry) else { return nil }
        slots[index]!.entry.generation = generation
        return (slots[index]!.entry.response, slots[index]!.entry.etag)
    }

    /// The entry for `key` when it was checked against the store at `generation` (nothing
    /// has been committed since) and `isFresh` accepts its freshness headers, else nil.
    func entry(
        for key: UnsafeRawBufferPointer, checkedAt generation: UInt64,
        where isFresh: (borrowing Entry) -> Bool
    ) -> (response: HTTPResponse, etag: String)? {
        guard let index = find(key), slots[index]!.entry.generation == generation,
            isFresh(slots[index]!.entry)
        else { return nil }
        return (slots[index]!.entry.response, slots[index]!.entry.etag)
    }

    private func find(_ key: UnsafeRawBufferPointer) -> Int? {
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while let slot = slots[index] {
            if slot.hash == hash && Self.equal(slot.key, key) {
                return index
            }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Keeps `entry` for `key`, replacing any entry it had.
    func store(_ key: UnsafeRawBufferPointer, _ entry: Entry) {
        if count >= Self.maxEntries {
            slots = Array(repeating: nil, count: Self.initialCapacity)
            count = 0
        } else if (count + 1) * 4 > slots.count * 3 {
            grow()
        }
        let hash = Self.hash(key)
        let mask = slots.count - 1
        var index = Int(truncatingIfNeeded: hash) & mask
        while let slot = slots[index] {
            if slot.hash == hash && Self.equal(slot.key, key) {
                slots[index]!.entry = entry
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(hash: hash, key: Array(key), entry: entry)
        count += 1
    }

    private func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        let mask = slots.count - 1
        for case let slot? in old {
            var index = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[index] != nil { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    /// FNV-1a over the bytes: ids are short, and this runs for every read.
    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    private static func equal(_ stored: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == key.count else { return false }
        guard let base = key.baseAddress else { return true }
        return stored.withUnsafeBytes { memcmp($0.baseAddress!, base, key.count) == 0 }
    }
}
