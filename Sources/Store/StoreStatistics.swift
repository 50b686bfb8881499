/// A snapshot of an environment's size and use, from `StoreEnvironment.statistics`.
public struct StoreStatistics: Sendable, Hashable {
    /// The current size of the memory map, in bytes: how far the file may grow before the
    /// map must.
    public let mapBytes: Int

    /// The bytes of the file in use: pages up to the last one written, times the page size.
    /// Freed pages inside that range are reused, so this rarely shrinks.
    public let usedBytes: Int

    /// LMDB's page size, in bytes.
    public let pageSize: Int

    /// Reader slots holding a snapshot now, across all processes using the directory: one per
    /// open read transaction, and one per dead process until
    /// `StoreEnvironment.clearStaleReaders()` runs. A slot a thread keeps parked between its
    /// reads holds no snapshot and is not counted.
    public let readersInUse: Int

    /// How many reader slots the lock file has (the configured count, rounded up by LMDB).
    public let maxReaders: Int

    /// The id of the last committed write transaction.
    public let lastTransactionID: Int
}
