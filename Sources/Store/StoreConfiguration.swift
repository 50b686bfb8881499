/// How a `StoreEnvironment` sizes and flushes its LMDB environment.
public struct StoreConfiguration: Sendable, Hashable {
    /// When a committed write reaches the disk.
    public enum Durability: Sendable, Hashable {
        /// Every commit is flushed (`fdatasync`) before `write` returns: nothing committed is
        /// lost, even to a power cut.
        case full

        /// Commits are left to the kernel to flush (`MDB_NOSYNC`). A crash of the process
        /// loses nothing, since the kernel holds the writes; a power cut or kernel crash may
        /// lose the last commits, but the file stays consistent. Call
        /// `StoreEnvironment.sync()` periodically to bound the loss.
        case noSync
    }

    /// The map size to start with, in bytes; rounded up to whole pages, and no more than
    /// `maxMapBytes`. The map grows by doubling whenever a write needs more, so this only
    /// saves the first few regrowths.
    public var initialMapBytes: Int

    /// The largest the map may grow, in bytes; a write that needs more fails with `.mapFull`.
    /// Rounded down to whole pages.
    public var maxMapBytes: Int

    /// How many named tables the environment can hold. Each slot costs a few words per
    /// transaction, so keep it near what is used.
    public var maxTables: Int

    /// How many read transactions may be open at once, across all processes using the
    /// directory. LMDB rounds it up to fill the lock file's page.
    public var maxReaders: Int

    /// When commits reach the disk.
    public var durability: Durability

    /// 64 MiB to start, growing up to 64 GiB; 16 tables, 512 readers, a flush on every
    /// commit.
    public init(
        initialMapBytes: Int = 64 << 20, maxMapBytes: Int = 64 << 30, maxTables: Int = 16,
        maxReaders: Int = 512, durability: Durability = .full
    ) {
        self.initialMapBytes = initialMapBytes
        self.maxMapBytes = maxMapBytes
        self.maxTables = maxTables
        self.maxReaders = maxReaders
        self.durability = durability
    }
}
