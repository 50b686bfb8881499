import CSystem
import Foundation

/// A few counting cells kept once per CPU shard, so that threads on different cores add to
/// different cache lines: a counter bumped on every request from every event loop would
/// otherwise bounce one line between the cores on each increment. A reader sums the shards.
///
/// Any thread may add or read. Adds are atomic (two threads on one shard stay exact); a
/// reader sees each cell at a slightly different moment, never a torn value.
final class ShardedCells: @unchecked Sendable {
    // @unchecked: the memory is written only through atomic operations after init.

    /// Cells of one shard fill whole blocks of this size, so shards share no cache line (two
    /// lines: some processors fetch lines in adjacent pairs).
    private static let shardAlignmentBytes = 128
    /// Shards are a power of two, at most this many: beyond it, CPUs share a shard.
    private static let maxShards = 16
    static let shardCount: Int = {
        let cpus = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var shards = 1
        while shards < cpus && shards < maxShards { shards *= 2 }
        return shards
    }()

    let cellsPerShard: Int
    private let strideCells: Int
    private let base: UnsafeMutablePointer<UInt64>

    init(cellsPerShard: Int) {
        precondition(cellsPerShard > 0, "a sharded counter needs a cell")
        self.cellsPerShard = cellsPerShard
        let cellsPerBlock = Self.shardAlignmentBytes / MemoryLayout<UInt64>.stride
        strideCells = (cellsPerShard + cellsPerBlock - 1) / cellsPerBlock * cellsPerBlock
        let bytes = strideCells * Self.shardCount * MemoryLayout<UInt64>.stride
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: bytes, alignment: Self.shardAlignmentBytes)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        base = raw.bindMemory(to: UInt64.self, capacity: bytes / MemoryLayout<UInt64>.stride)
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }

    /// Adds `amount` to cell `index` of the calling CPU's shard.
    @inline(__always)
    func add(_ amount: UInt64, at index: Int) {
        let shard = Int(oddsnet_current_cpu()) & (Self.shardCount - 1)
        oddsnet_atomic_add_u64(base + shard * strideCells + index, amount)
    }

    /// Adds to two cells of the calling CPU's shard (a histogram's bucket and its sum).
    @inline(__always)
    func add(_ first: UInt64, at firstIndex: Int, _ second: UInt64, at secondIndex: Int) {
        let shard = base + (Int(oddsnet_current_cpu()) & (Self.shardCount - 1)) * strideCells
        oddsnet_atomic_add_u64(shard + firstIndex, first)
        oddsnet_atomic_add_u64(shard + secondIndex, second)
    }

    /// Cell `index` summed over the shards (wrapping, as the adds do).
    func sum(at index: Int) -> UInt64 {
        var total: UInt64 = 0
        for shard in 0..<Self.shardCount {
            total &+= oddsnet_atomic_load_u64(base + shard * strideCells + index)
        }
        return total
    }
}
