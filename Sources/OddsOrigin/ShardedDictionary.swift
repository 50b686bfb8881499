/// A dictionary spread over many small ones by its keys' hash, so that growing it never
/// stops its thread for long.
///
/// A Swift dictionary grows by doubling: every entry is rehashed into new storage at once.
/// For a million entries that took 31 ms on the sequencer here, most of it faulting in the
/// new pages (the VM's balloon hands freed memory back to the host, so fresh memory costs
/// about 10 us a page), and every bet in flight waited for it. A shard doubles at
/// 1/`shardCount` of the size. What the sequencer keeps per account or per bet lives in
/// these: a Saturday brings new bettors, and their entries arrive under load.
struct ShardedDictionary<Key: Hashable, Value> {
    static var shardBits: Int { 12 }
    static var shardCount: Int { 1 << shardBits }

    /// Empty shards share Swift's empty storage: only the ones in use allocate.
    private var shards = [[Key: Value]](repeating: [:], count: shardCount)
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// The most entries one shard holds: what one doubling may have to move.
    var largestShard: Int { shards.lazy.map(\.count).max() ?? 0 }

    subscript(key: Key) -> Value? {
        get { shards[Self.shard(key)][key] }
        set {
            let shard = Self.shard(key)
            if let newValue {
                if shards[shard].updateValue(newValue, forKey: key) == nil {
                    count += 1
                }
            } else if shards[shard].removeValue(forKey: key) != nil {
                count -= 1
            }
        }
    }

    subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        set { self[key] = newValue }
    }

    /// The top bits of the key's hash; a shard's dictionary picks its buckets by the low ones.
    private static func shard(_ key: Key) -> Int {
        Int(UInt(bitPattern: key.hashValue) >> (UInt.bitWidth - shardBits))
    }
}
