/// Where the origin's idempotency records are: the creation time of each, found by its key.
///
/// Records are stored in creation order (time, then key), so a bet's record is appended to
/// the last page of the table instead of being a random insert that dirties a page of its
/// own on every commit. Finding one by its key is then this index's job. It holds a hash
/// of each key and its time, 16 bytes a record before the dictionary's overhead, is rebuilt
/// at start from the stored keys, and lives on the sequencer thread.
///
/// The hashes are spread over many small dictionaries by their top bits. One dictionary
/// would stop the sequencer each time it doubles: rehashing a million entries into freshly
/// faulted memory took 31 ms here, in the middle of a commit. A shard doubles at
/// 1/`shardCount` of that size.
///
/// A hash can be shared: a key whose hash another key already holds is kept whole in
/// `collided`, so a lookup stays exact. A lookup hands back the times a record may be
/// stored under; the store says whether it is there.
struct IdempotencyIndex {
    static let shardBits = 12
    static let shardCount = 1 << shardBits

    private var shards = [[Int: Int64]](repeating: [:], count: shardCount)
    private var hashedCount = 0
    /// Keys that came while another key held their hash: exact, and almost always empty.
    private var collided: [[UInt8]: Int64] = [:]
    private let hash: @Sendable ([UInt8]) -> Int

    /// `hash` is for tests, which make keys collide.
    init(hash: @escaping @Sendable ([UInt8]) -> Int = IdempotencyIndex.seededHash) {
        self.hash = hash
    }

    /// How many records the index holds.
    var count: Int { hashedCount + collided.count }

    /// The most records one shard holds: what one doubling may have to move.
    var largestShard: Int { shards.lazy.map(\.count).max() ?? 0 }

    /// The creation times under which a record for `key` may be stored; empty when no
    /// stored record has this key.
    func candidates(_ key: [UInt8]) -> [Int64] {
        let hashed = hash(key)
        let time = shards[Self.shard(hashed)][hashed]
        guard !collided.isEmpty, let exact = collided[key] else {
            return time.map { [$0] } ?? []
        }
        return time.map { [exact, $0] } ?? [exact]
    }

    /// Adds a record that is stored now. Its key must not be in the index already (a key is
    /// stored once: a retry gets the stored record back).
    mutating func insert(_ key: [UInt8], createdAtMicros: Int64) {
        let hashed = hash(key)
        let shard = Self.shard(hashed)
        if shards[shard][hashed] == nil {
            shards[shard][hashed] = createdAtMicros
            hashedCount += 1
        } else {
            collided[key] = createdAtMicros
        }
    }

    /// Forgets a record that was deleted from the store.
    mutating func remove(_ key: [UInt8], createdAtMicros: Int64) {
        if !collided.isEmpty, collided[key] == createdAtMicros {
            collided[key] = nil
            return
        }
        let hashed = hash(key)
        let shard = Self.shard(hashed)
        if shards[shard][hashed] == createdAtMicros {
            shards[shard][hashed] = nil
            hashedCount -= 1
        }
    }

    private static func shard(_ hashed: Int) -> Int {
        Int(UInt(bitPattern: hashed) >> (UInt.bitWidth - shardBits))
    }

    /// Swift's hasher, seeded afresh by each process.
    @Sendable static func seededHash(_ key: [UInt8]) -> Int {
        var hasher = Hasher()
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}
