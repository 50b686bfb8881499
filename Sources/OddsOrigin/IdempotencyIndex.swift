/// Where the origin's idempotency records are: the creation time of each, found by its key.
///
/// Records are stored in creation order (time, then key), so a bet's record is appended to
/// the last page of the table instead of being a random insert that dirties a page of its
/// own on every commit. Finding one by its key is then this index's job. It holds a hash
/// of each key and its time, 16 bytes a record before the dictionary's overhead, is rebuilt
/// at start from the stored keys, and lives on the sequencer thread.
///
/// The hashes are kept in a `ShardedDictionary`: one dictionary of them would stop the
/// sequencer each time it doubled (31 ms at a million records, in the middle of a commit).
///
/// A hash can be shared: a key whose hash another key already holds is kept whole in
/// `collided`, so a lookup stays exact. A lookup hands back the times a record may be
/// stored under; the store says whether it is there.
struct IdempotencyIndex {
    private var byHash = ShardedDictionary<Int, Int64>()
    /// Keys that came while another key held their hash: exact, and almost always empty.
    private var collided: [[UInt8]: Int64] = [:]
    private let hash: @Sendable ([UInt8]) -> Int

    /// `hash` is for tests, which make keys collide.
    init(hash: @escaping @Sendable ([UInt8]) -> Int = IdempotencyIndex.seededHash) {
        self.hash = hash
    }

    /// How many records the index holds.
    var count: Int { byHash.count + collided.count }

    /// The most records one shard of the index holds.
    var largestShard: Int { byHash.largestShard }

    /// The creation times under which a record for `key` may be stored; empty when no
    /// stored record has this key.
    func candidates(_ key: [UInt8]) -> [Int64] {
        let time = byHash[hash(key)]
        guard !collided.isEmpty, let exact = collided[key] else {
            return time.map { [$0] } ?? []
        }
        return time.map { [exact, $0] } ?? [exact]
    }

    /// Adds a record that is stored now. Its key must not be in the index already (a key is
    /// stored once: a retry gets the stored record back).
    mutating func insert(_ key: [UInt8], createdAtMicros: Int64) {
        let hashed = hash(key)
        if byHash[hashed] == nil {
            byHash[hashed] = createdAtMicros
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
        if byHash[hashed] == createdAtMicros {
            byHash[hashed] = nil
        }
    }

    /// Swift's hasher, seeded afresh by each process.
    @Sendable static func seededHash(_ key: [UInt8]) -> Int {
        var hasher = Hasher()
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize()
    }
}
