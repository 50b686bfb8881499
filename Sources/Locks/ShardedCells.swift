import CSystem
import Foundation
import Synchronization

/// A few atomic cells kept once per CPU shard, so that threads on different cores update
/// different cache lines: a counter bumped on every request from every event loop would
/// otherwise bounce one line between the cores on each increment. A reader sums the shards.
///
/// Any thread may add or read. Adds are atomic (two threads on one shard stay exact); a
/// reader sees each cell at a slightly different moment, never a torn value. Values wrap,
/// so adding `UInt64.max` takes one away.
public final class ShardedCells: @unchecked Sendable {
    // @unchecked: the cells are Atomics, written and read only through their operations.

    /// Shards start on blocks of this many bytes, so they share no cache line (two lines:
    /// some processors fetch lines in adjacent pairs).
    private static let shardAlignmentBytes = 128
    private static let cellsPerBlock = shardAlignmentBytes / MemoryLayout<UInt64>.stride
    /// Shards are a power of two, at most this many: beyond it, CPUs share a shard.
    private static let maxShards = 16
    public static let shardCount: Int = {
        let cpus = max(1, ProcessInfo.processInfo.activeProcessorCount)
        var shards = 1
        while shards < cpus && shards < maxShards { shards *= 2 }
        return shards
    }()

    public let cellsPerShard: Int
    private let strideCells: Int
    private let allocation: UnsafeMutablePointer<Atomic<UInt64>>
    private let allocatedCells: Int
    /// The first cell of shard 0, on a `shardAlignmentBytes` boundary.
    private let base: UnsafeMutablePointer<Atomic<UInt64>>

    public init(cellsPerShard: Int) {
        precondition(cellsPerShard > 0, "sharded cells need a cell per shard")
        self.cellsPerShard = cellsPerShard
        strideCells = (cellsPerShard + Self.cellsPerBlock - 1) / Self.cellsPerBlock
            * Self.cellsPerBlock
        // One block more than needed, so the shards can start on an aligned address.
        allocatedCells = strideCells * Self.shardCount + Self.cellsPerBlock
        allocation = UnsafeMutablePointer<Atomic<UInt64>>.allocate(capacity: allocatedCells)
        for index in 0..<allocatedCells {
            (allocation + index).initialize(to: Atomic(0))
        }
        let address = UInt(bitPattern: allocation)
        let aligned = (address + UInt(Self.shardAlignmentBytes) - 1)
            & ~(UInt(Self.shardAlignmentBytes) - 1)
        base = allocation + Int(aligned - address) / MemoryLayout<UInt64>.stride
    }

    deinit {
        allocation.deinitialize(count: allocatedCells)
        allocation.deallocate()
    }

    /// The shard of the CPU the calling thread runs on now.
    @inline(__always)
    public static func currentShard() -> Int {
        Int(oddsnet_current_cpu()) & (shardCount - 1)
    }

    /// Adds `amount` to cell `index` of the calling CPU's shard.
    @inline(__always)
    public func add(_ amount: UInt64, at index: Int) {
        (base + Self.currentShard() * strideCells + index).pointee
            .wrappingAdd(amount, ordering: .relaxed)
    }

    /// Adds to two cells of the calling CPU's shard (a histogram's bucket and its sum).
    @inline(__always)
    public func add(_ first: UInt64, at firstIndex: Int, _ second: UInt64, at secondIndex: Int) {
        let shard = base + Self.currentShard() * strideCells
        (shard + firstIndex).pointee.wrappingAdd(first, ordering: .relaxed)
        (shard + secondIndex).pointee.wrappingAdd(second, ordering: .relaxed)
    }

    /// Adds `amount` to cell `index` of shard `shard`, sequentially consistent: for a reader
    /// count that a writer waits to see at zero (`ReaderCountLock`).
    @inline(__always)
    func addOrdered(_ amount: UInt64, shard: Int, at index: Int) {
        (base + shard * strideCells + index).pointee
            .wrappingAdd(amount, ordering: .sequentiallyConsistent)
    }

    /// Cell `index` summed over the shards (wrapping, as the adds do).
    public func sum(at index: Int) -> UInt64 {
        var total: UInt64 = 0
        for shard in 0..<Self.shardCount {
            total &+= (base + shard * strideCells + index).pointee.load(ordering: .relaxed)
        }
        return total
    }

    /// `sum(at:)` with sequentially consistent loads.
    func orderedSum(at index: Int) -> UInt64 {
        var total: UInt64 = 0
        for shard in 0..<Self.shardCount {
            total &+= (base + shard * strideCells + index).pointee
                .load(ordering: .sequentiallyConsistent)
        }
        return total
    }
}
