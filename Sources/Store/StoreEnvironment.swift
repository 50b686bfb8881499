import CLMDB
import Glibc
import Synchronization

/// An LMDB environment in one directory: the store shared by the origin and the edge.
///
/// Reads run on any thread, many at once, each in a snapshot that no write disturbs. Writes
/// run on one thread only, one at a time, and commit as a whole. The environment deals with
/// LMDB's traps itself:
///
/// - It opens with `MDB_NOTLS`, so a reader slot belongs to a transaction, not to a thread.
///   A thread parks its outermost read transaction between reads (reset, holding no
///   snapshot) and renews it for the next: up to half the slots are parked so, and other
///   threads read on transactions of their own.
/// - It clears reader slots left by dead processes when it opens (`staleReadersCleared`) and
///   again whenever the slots run out.
/// - When a write fills the map, it aborts the write, doubles the map (up to
///   `StoreConfiguration.maxMapBytes`) and runs the write again from the start. When another
///   process has grown the map, it adopts the new size before the next transaction.
/// - It never maps the file writable, so a full disk or a failing one is an error from the
///   commit, never a crash.
/// - It turns the kernel's readahead off for the map (`MDB_NORDAHEAD`): reads are lookups
///   at random, and a store read back from disk would otherwise be cached in large folios
///   that make every later page written cost the kernel about twice as much.
/// - It keeps the data file a chunk of written zeros longer than LMDB needs
///   (`DataFileRunway`), so a commit's flush seldom has to commit the file system's journal.
///
/// The environment closes when the last reference to it goes. A directory can be open only
/// once per process at a time.
public final class StoreEnvironment: @unchecked Sendable {
    // @unchecked: LMDB's environment is made to be shared. With MDB_NOTLS any thread may run
    // read transactions on it. The remap that would pull the map from under a transaction
    // runs only under `mapLock`'s exclusive side, as do all changes to `tables` and
    // `mapFailure`; they are read under its shared side. Write transactions are confined to
    // the thread recorded in `writerThread`.

    /// The directory holding `data.mdb` and `lock.mdb`.
    public let directory: String

    /// The configuration the environment was opened with.
    public let configuration: StoreConfiguration

    /// How many reader slots of dead processes were cleared at open.
    public let staleReadersCleared: Int

    private let env: OpaquePointer
    private let maxKeyBytes: Int
    private let maxMapBytes: Int
    private let identity: OpenEnvironments.Identity
    private let mapLock = MapLock()

    /// The thread that wrote first (its `pthread_t`), or 0 before any write.
    private let writerThread = Atomic<UInt>(0)
    private let commitCount = Atomic<UInt64>(0)
    /// Zeros kept ahead of the last page, so commits do not grow the file.
    private let runway = DataFileRunway()

    /// Tables opened so far, by name. Guarded by `mapLock`.
    private var tables: [String: StoreTable] = [:]

    /// Set when a remap failed and left LMDB without a map; every later transaction (and
    /// `statistics`) throws it, until the environment is reopened. Guarded by `mapLock`.
    private var mapFailure: StoreError?

    /// The permissions of new data and lock files: the store is the service's own.
    private static let fileMode: mode_t = 0o600

    /// The permissions of directories created for the store.
    private static let directoryMode: mode_t = 0o755

    /// Free space (or room under the file size limit) below which a failed write is taken for
    /// a full disk, in bytes: a commit needs at least that much more than a few pages.
    private static let diskFullMarginBytes: UInt64 = 1 << 20

    /// How long a read waits for a reader slot when all are taken, in nanoseconds.
    private static let readerSlotWaitNanoseconds: UInt64 = 100_000_000

    /// How long a read sleeps between looks for a free reader slot, in nanoseconds.
    private static let readerSlotPollNanoseconds = 50_000

    /// Opens (creating if needed) the environment in `directory`, creating the directory and
    /// its parents if missing. Throws `.invalidArgument` for a configuration out of range,
    /// `.alreadyOpen` when this process has the directory open already, `.corrupted` for a
    /// file that is not a sound LMDB environment, or the file system's failure. Any thread.
    public init(
        directory: String, configuration: StoreConfiguration = StoreConfiguration()
    ) throws(StoreError) {
        let mapBounds = try Self.mapBounds(of: configuration, pageBytes: Int(getpagesize()))
        guard let maxTables = MDB_dbi(exactly: configuration.maxTables),
            let maxReaders = UInt32(exactly: configuration.maxReaders), maxReaders >= 1
        else {
            throw Self.invalidConfiguration("maxTables or maxReaders out of range")
        }
        try Self.createDirectory(directory)
        let identity = try OpenEnvironments.shared.register(directory)

        let env: OpaquePointer
        var dead: Int32 = 0
        do throws(StoreError) {
            var created: OpaquePointer?
            try LMDB.check(mdb_env_create(&created), "mdb_env_create")
            guard let created else {
                preconditionFailure("mdb_env_create succeeded without an environment")
            }
            env = created
            do throws(StoreError) {
                try LMDB.check(mdb_env_set_maxdbs(env, maxTables), "mdb_env_set_maxdbs")
                try LMDB.check(mdb_env_set_maxreaders(env, maxReaders), "mdb_env_set_maxreaders")
                try LMDB.check(mdb_env_set_mapsize(env, mapBounds.initial), "mdb_env_set_mapsize")
                // MDB_NORDAHEAD: the map is read at random, and readahead would fill the page
                // cache with large folios, each of which a commit that dirties one page of
                // it then writes and flushes whole (about twice the kernel's work per page).
                var flags = UInt32(MDB_NOTLS) | UInt32(MDB_NORDAHEAD)
                if configuration.durability == .noSync {
                    flags |= UInt32(MDB_NOSYNC)
                }
                try LMDB.check(mdb_env_open(env, directory, flags, Self.fileMode), "mdb_env_open")
                try LMDB.check(mdb_reader_check(env, &dead), "mdb_reader_check")
            } catch {
                mdb_env_close(env)
                throw error
            }
        } catch {
            OpenEnvironments.shared.unregister(identity)
            throw error
        }

        self.directory = directory
        self.configuration = configuration
        self.staleReadersCleared = Int(dead)
        self.env = env
        self.maxKeyBytes = Int(mdb_env_get_maxkeysize(env))
        self.maxMapBytes = mapBounds.max
        self.identity = identity
    }

    deinit {
        mapLock.parkedReads.closeAll()
        mdb_env_close(env)
        OpenEnvironments.shared.unregister(identity)
    }

    // MARK: Tables

    /// Returns the table called `name`, creating it if it does not exist; handles are cached,
    /// so later calls for the same name are cheap. Throws `.badValueSize` for an empty name,
    /// one containing a NUL byte or one longer than a key, `.tablesFull` beyond
    /// `StoreConfiguration.maxTables`, or LMDB's failure.
    ///
    /// Any thread, but a table not yet opened must not be opened inside `read` or `write`:
    /// open tables first (it would wait for its own transaction; this traps instead).
    public func table(_ name: String) throws(StoreError) -> StoreTable {
        mapLock.lockShared()
        let cached = tables[name]
        mapLock.unlockShared()
        if let cached {
            return cached
        }

        if name.isEmpty || name.utf8.count > maxKeyBytes || name.utf8.contains(0) {
            throw StoreError(returnCode: MDB_BAD_VALSIZE, operation: "mdb_dbi_open")
        }
        precondition(
            mapLock.depth == 0,
            "StoreEnvironment.table(_:) opened a new table inside read or write; open it before")

        // Opening handles must not race other transactions of the process (LMDB copies the
        // handle table when a transaction begins), so it runs alone.
        return try mapLock.withExclusive { () throws(StoreError) -> StoreTable in
            if let cached = tables[name] {
                return cached
            }
            let table = try openTableAlone(name)
            tables[name] = table
            return table
        }
    }

    // MARK: Transactions

    /// Runs `body` in a read transaction and returns what it returns. The transaction is a
    /// snapshot of the last commit before it began, and it ends when `body` returns: values
    /// handed to `body` are valid inside it only. Throws what `body` throws, `.readersFull`
    /// when no reader slot frees up in time, or LMDB's failure.
    ///
    /// Any thread, any number at once, and nested reads are allowed. Keep reads short: a
    /// long one pins old pages (the file grows meanwhile) and delays any growth of the map,
    /// which waits for every read of the process to end. So a read must never wait for a
    /// write to finish.
    public func read<Result>(
        _ body: (borrowing ReadTransaction) throws -> Result
    ) throws -> Result {
        let slot = mapLock.lockShared()
        defer { mapLock.unlockShared(slot) }
        guard slot.depth == 1 else {
            // A nested read gets a transaction of its own; the thread's parked one is in use.
            let txn = try beginTransaction(flags: UInt32(MDB_RDONLY))
            defer { mdb_txn_abort(txn) }
            return try body(
                ReadTransaction(TransactionCore(txn: txn, maxKeyBytes: maxKeyBytes, outcome: nil)))
        }
        let (txn, parked) = try renewParkedRead(slot)
        defer { parked ? mdb_txn_reset(txn) : mdb_txn_abort(txn) }
        return try body(
            ReadTransaction(TransactionCore(txn: txn, maxKeyBytes: maxKeyBytes, outcome: nil)))
    }

    /// Runs `body` in a write transaction and commits what it did when it returns; returns
    /// what `body` returns. If `body` throws, nothing it did is kept and the error is rethrown.
    ///
    /// When the map fills up, the transaction is aborted, the map doubled and `body` run again
    /// from the start, so `body` must only change the store (or be safe to repeat). Throws
    /// what `body` throws, `.mapFull` when the write does not fit in
    /// `StoreConfiguration.maxMapBytes` (nothing is kept and the environment stays usable),
    /// `.diskFull` or `.io` when the commit cannot reach the disk, or LMDB's failure.
    ///
    /// One thread only: the first thread that writes is the writer for the life of the
    /// environment, and a call from any other thread traps. Not inside `read` or `write`.
    public func write<Result>(
        _ body: (borrowing WriteTransaction) throws -> Result
    ) throws -> Result {
        claimWriterThread()
        precondition(
            mapLock.depth == 0, "StoreEnvironment.write(_:) called inside read or write")
        while true {
            switch try attemptWrite(body) {
            case .committed(let result):
                return result
            case .mapFull(let operation):
                try mapLock.withExclusive { () throws(StoreError) in
                    try growMap(after: operation)
                }
            }
        }
    }

    /// Gives up the calling thread's claim to be the writer, so that the next thread to write
    /// becomes it: a program writes at start-up on its main thread, then hands writing to its
    /// writer thread. Does nothing before the first write.
    ///
    /// The writer thread only, outside `read` and `write`, and it must not write afterwards;
    /// a call from another thread traps.
    public func releaseWriterThread() {
        precondition(
            mapLock.depth == 0, "StoreEnvironment.releaseWriterThread() inside read or write")
        let current = pthread_self()
        let (released, writer) = writerThread.compareExchange(
            expected: current, desired: 0, ordering: .relaxed)
        precondition(
            released || writer == 0,
            "StoreEnvironment.releaseWriterThread() called by a thread that is not the writer")
    }

    /// How many write transactions have committed through this environment (since it was
    /// opened in this process): bumped as each commit completes, before `write` returns. A
    /// reader that loads it before it reads sees at least the state as of that count, and
    /// anything that keeps work derived from the store (a cache, an unflushed mark) can tell
    /// from it whether the store has moved. Any thread.
    public var commits: UInt64 {
        commitCount.load(ordering: .acquiring)
    }

    // MARK: Maintenance

    /// Flushes committed writes to the disk, for `Durability.noSync`; with `.full` they are
    /// there already. Throws `.diskFull` or `.io` when the flush fails. Any thread.
    public func sync() throws(StoreError) {
        try LMDB.check(mdb_env_sync(env, 1), "mdb_env_sync")
    }

    /// Frees the reader slots of processes that died inside a read; returns how many. Reads
    /// do this themselves when they find every slot taken. Throws LMDB's failure. Any thread.
    public func clearStaleReaders() throws(StoreError) -> Int {
        var dead: Int32 = 0
        try LMDB.check(mdb_reader_check(env, &dead), "mdb_reader_check")
        return Int(dead)
    }

    /// The environment's size and reader use now. Throws LMDB's failure. Any thread; not on
    /// a hot path (it walks the reader table).
    public var statistics: StoreStatistics {
        get throws(StoreError) {
            mapLock.lockShared()
            defer { mapLock.unlockShared() }
            // LMDB reads the meta pages through the map, which a failed remap took away.
            if let mapFailure {
                throw mapFailure
            }
            var info = MDB_envinfo()
            try LMDB.check(mdb_env_info(env, &info), "mdb_env_info")
            var pages = MDB_stat()
            try LMDB.check(mdb_env_stat(env, &pages), "mdb_env_stat")
            var maxReaders: UInt32 = 0
            try LMDB.check(mdb_env_get_maxreaders(env, &maxReaders), "mdb_env_get_maxreaders")
            var readers = 0
            try LMDB.check(mdb_reader_list(env, countReaderLine, &readers), "mdb_reader_list")
            let pageSize = Int(pages.ms_psize)
            return StoreStatistics(
                mapBytes: info.me_mapsize, usedBytes: (info.me_last_pgno + 1) * pageSize,
                pageSize: pageSize, readersInUse: readers, maxReaders: Int(maxReaders),
                lastTransactionID: info.me_last_txnid)
        }
    }

    // MARK: Private

    private enum WriteAttempt<Result> {
        case committed(Result)
        case mapFull(StaticString)
    }

    /// Runs `body` once in a write transaction and commits it, or reports that the map was
    /// full so the caller can grow it and try again.
    private func attemptWrite<Result>(
        _ body: (borrowing WriteTransaction) throws -> Result
    ) throws -> WriteAttempt<Result> {
        mapLock.lockShared()
        defer { mapLock.unlockShared() }
        let txn = try beginTransaction(flags: 0)

        var outcome = WriteOutcome()
        let result: Result
        do {
            result = try withUnsafeMutablePointer(to: &outcome) { outcome in
                try body(
                    WriteTransaction(
                        TransactionCore(txn: txn, maxKeyBytes: maxKeyBytes, outcome: outcome)))
            }
        } catch {
            mdb_txn_abort(txn)
            // The body may have rethrown the full map as its own error; the map decides.
            if let operation = outcome.mapFullOperation {
                return .mapFull(operation)
            }
            throw error
        }
        // The body may have caught the full map and returned; LMDB would refuse the commit.
        if let operation = outcome.mapFullOperation {
            mdb_txn_abort(txn)
            return .mapFull(operation)
        }

        // The commit frees the transaction whether it succeeds or not.
        let code = mdb_txn_commit(txn)
        if code == MDB_MAP_FULL {
            return .mapFull("mdb_txn_commit")
        }
        guard code == MDB_SUCCESS else {
            throw commitFailure(code)
        }
        commitCount.wrappingAdd(1, ordering: .releasing)
        runway.extend(env)
        return .committed(result)
    }

    /// Starts an outermost read on the thread's parked transaction, or begins one and parks it
    /// there when the thread has none (or it could not be renewed). The calling thread holds
    /// `mapLock`'s shared side once.
    ///
    /// Returns the transaction and whether it is parked (reset after the read, not aborted):
    /// at most half the reader slots are parked, so threads beyond that read as before.
    private func renewParkedRead(_ slot: ThreadSlot)
        throws(StoreError) -> (OpaquePointer, parked: Bool)
    {
        if let mapFailure {
            throw mapFailure
        }
        if let parked = slot.parkedRead {
            if mdb_txn_renew(parked) == MDB_SUCCESS {
                return (parked, true)
            }
            // Renewing fails when the map was grown by another process, or the environment
            // has failed: start over on a fresh transaction, which deals with both.
            slot.parkedRead = nil
            mapLock.parkedReads.end(parked)
        } else if slot.declinedParking {
            return (try beginTransaction(flags: UInt32(MDB_RDONLY)), false)
        }
        let txn = try beginTransaction(flags: UInt32(MDB_RDONLY))
        guard mapLock.parkedReads.add(txn, limit: configuration.maxReaders / 2) else {
            slot.declinedParking = true
            return (txn, false)
        }
        slot.parkedRead = txn
        return (txn, true)
    }

    /// Begins a transaction; the calling thread holds `mapLock`'s shared side. Adopts a map
    /// grown by another process, and waits a little for a reader slot when all are taken.
    private func beginTransaction(flags: UInt32) throws(StoreError) -> OpaquePointer {
        var slotDeadline: UInt64?
        while true {
            if let mapFailure {
                throw mapFailure
            }
            var txn: OpaquePointer?
            let code = mdb_txn_begin(env, nil, flags, &txn)
            if code == MDB_SUCCESS, let txn {
                return txn
            }
            switch code {
            case MDB_MAP_RESIZED where mapLock.depth == 1:
                // Another process grew the map past this one's. Only an outermost transaction
                // can step out of the shared side to remap; a nested one reports it.
                mapLock.unlockShared()
                defer { mapLock.lockShared() }
                try mapLock.withExclusive { () throws(StoreError) in
                    try remap(toBytes: 0)
                }
            case MDB_READERS_FULL:
                try waitForReaderSlot(until: &slotDeadline)
            default:
                try LMDB.check(code, "mdb_txn_begin")
                preconditionFailure("mdb_txn_begin succeeded without a transaction")
            }
        }
    }

    /// Called when every reader slot is taken: clears slots of dead processes the first time,
    /// then sleeps briefly so a live reader can finish. Throws `.readersFull` once the wait is
    /// over.
    private func waitForReaderSlot(until deadline: inout UInt64?) throws(StoreError) {
        let now = Self.monotonicNanoseconds()
        guard let limit = deadline else {
            deadline = now + Self.readerSlotWaitNanoseconds
            var dead: Int32 = 0
            try LMDB.check(mdb_reader_check(env, &dead), "mdb_reader_check")
            return
        }
        if now >= limit {
            throw StoreError(returnCode: MDB_READERS_FULL, operation: "mdb_txn_begin")
        }
        var pause = timespec(tv_sec: 0, tv_nsec: Self.readerSlotPollNanoseconds)
        nanosleep(&pause, nil)
    }

    /// Doubles the map, up to `maxMapBytes`, after `operation` found it full. Throws
    /// `.mapFull` when it is that size already. Holds `mapLock`'s exclusive side.
    private func growMap(after operation: StaticString) throws(StoreError) {
        var info = MDB_envinfo()
        try LMDB.check(mdb_env_info(env, &info), "mdb_env_info")
        let current = info.me_mapsize
        guard current < maxMapBytes else {
            throw StoreError(returnCode: MDB_MAP_FULL, operation: operation)
        }
        let doubled = current.multipliedReportingOverflow(by: 2)
        try remap(toBytes: doubled.overflow ? maxMapBytes : min(doubled.partialValue, maxMapBytes))
    }

    /// Maps the file anew at `bytes` (0: the size the last writer recorded). Holds `mapLock`'s
    /// exclusive side.
    private func remap(toBytes bytes: Int) throws(StoreError) {
        let code = mdb_env_set_mapsize(env, bytes)
        guard code != MDB_SUCCESS else {
            return
        }
        // LMDB refuses a remap untouched only while a write transaction of the process is open,
        // which the exclusive side rules out. So this failed to map the file again after the
        // old map was gone, and LMDB is left with no map until the environment is reopened.
        let error = StoreError(returnCode: code, operation: "mdb_env_set_mapsize")
        mapFailure = error
        throw error
    }

    /// Opens or creates table `name` in a write transaction of its own. Holds `mapLock`'s
    /// exclusive side, so no other transaction of the process is open.
    private func openTableAlone(_ name: String) throws(StoreError) -> StoreTable {
        while true {
            if let mapFailure {
                throw mapFailure
            }
            var begun: OpaquePointer?
            let beginCode = mdb_txn_begin(env, nil, 0, &begun)
            if beginCode == MDB_MAP_RESIZED {
                try remap(toBytes: 0)
                continue
            }
            try LMDB.check(beginCode, "mdb_txn_begin")
            guard let txn = begun else {
                preconditionFailure("mdb_txn_begin succeeded without a transaction")
            }

            var dbi: MDB_dbi = 0
            let openCode = name.withCString { mdb_dbi_open(txn, $0, UInt32(MDB_CREATE), &dbi) }
            if openCode != MDB_SUCCESS {
                mdb_txn_abort(txn)
                if openCode == MDB_MAP_FULL {
                    try growMap(after: "mdb_dbi_open")
                    continue
                }
                try LMDB.check(openCode, "mdb_dbi_open")
            }
            let commitCode = mdb_txn_commit(txn)
            if commitCode == MDB_MAP_FULL {
                try growMap(after: "mdb_txn_commit")
                continue
            }
            guard commitCode == MDB_SUCCESS else {
                throw commitFailure(commitCode)
            }
            commitCount.wrappingAdd(1, ordering: .releasing)
            return StoreTable(name: name, dbi: dbi)
        }
    }


    /// The error for a failed commit. LMDB reports a write that the kernel cut short as `EIO`,
    /// and that is how a disk filling up in the middle of a commit looks; so `EIO` is
    /// reported as `.diskFull` when the file system has no room left or the data file is at
    /// the process's size limit, and as `.io` otherwise.
    private func commitFailure(_ code: Int32) -> StoreError {
        let error = StoreError(returnCode: code, operation: "mdb_txn_commit")
        guard code == EIO, let reason = lackOfSpace() else {
            return error
        }
        return StoreError(
            .diskFull, returnCode: code, operation: "mdb_txn_commit",
            message: "\(error.message): \(reason)")
    }

    /// Why the data file cannot grow, if it cannot. These calls only refine an error already
    /// being reported, so their own failure just means "no reason known".
    private func lackOfSpace() -> String? {
        var volume = statvfs()
        if statvfs(directory, &volume) == 0,
            UInt64(volume.f_bavail) * UInt64(volume.f_frsize) < Self.diskFullMarginBytes
        {
            return "the file system has no space left"
        }
        var limit = rlimit()
        var file = stat()
        if getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0,
            limit.rlim_cur != rlim_t.max, stat(directory + "/data.mdb", &file) == 0,
            UInt64(file.st_size) + Self.diskFullMarginBytes >= UInt64(limit.rlim_cur)
        {
            return "the data file reached the process's file size limit"
        }
        return nil
    }

    /// Makes the calling thread the writer if there is none yet; traps if another thread is.
    @inline(__always)
    private func claimWriterThread() {
        let current = pthread_self()
        let (claimed, writer) = writerThread.compareExchange(
            expected: 0, desired: current, ordering: .relaxed)
        precondition(
            claimed || writer == current,
            "StoreEnvironment.write(_:) called from a second thread; all writes must come from "
                + "one")
    }

    private static func invalidConfiguration(_ message: String) -> StoreError {
        StoreError(
            .invalidArgument, returnCode: EINVAL, operation: "StoreConfiguration",
            message: message)
    }

    /// The initial and largest map sizes of `configuration`, in whole pages; an initial size
    /// above the largest starts at the largest.
    private static func mapBounds(
        of configuration: StoreConfiguration, pageBytes: Int
    ) throws(StoreError) -> (initial: Int, max: Int) {
        let max = configuration.maxMapBytes / pageBytes * pageBytes
        guard configuration.initialMapBytes > 0, max > 0 else {
            throw invalidConfiguration(
                "initialMapBytes and maxMapBytes must be positive, maxMapBytes a page at least")
        }
        // Capped first, so rounding up to a page cannot pass `max`, a whole page count.
        let capped = Swift.min(configuration.initialMapBytes, max)
        let remainder = capped % pageBytes
        return (remainder == 0 ? capped : capped - remainder + pageBytes, max)
    }

    /// Creates `path` and any missing parents, like `mkdir -p`. Throws the failure of
    /// `mkdir` other than finding the directory there already.
    private static func createDirectory(_ path: String) throws(StoreError) {
        guard !path.isEmpty else {
            throw StoreError(
                .invalidArgument, returnCode: EINVAL, operation: "mkdir",
                message: "the directory path is empty")
        }
        let bytes = Array(path.utf8)
        let slash = UInt8(ascii: "/")
        for end in bytes.indices where end > 0 && bytes[end] == slash && bytes[end - 1] != slash {
            try makeDirectory(String(decoding: bytes[..<end], as: UTF8.self))
        }
        try makeDirectory(path)
    }

    private static func makeDirectory(_ path: String) throws(StoreError) {
        let code = mkdir(path, directoryMode) == 0 ? 0 : errno
        if code != EEXIST {
            try LMDB.check(code, "mkdir")
        }
    }

    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}

/// Counts the reader lines of `mdb_reader_list` that hold a snapshot; the context is an `Int`.
/// LMDB sends a header or "(no active readers)" besides, but only reader lines start with a
/// pid. A slot kept by a reset (parked) transaction ends its line with "-" for its txnid.
private func countReaderLine(
    _ line: UnsafePointer<CChar>?, _ context: UnsafeMutableRawPointer?
) -> Int32 {
    guard let line, let context else {
        return 0
    }
    let text = UnsafeRawBufferPointer(start: line, count: strlen(line))
    guard let first = text.firstIndex(where: { $0 != UInt8(ascii: " ") }),
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[first]),
        let last = text.lastIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\n") }),
        text[last] != UInt8(ascii: "-")
    else {
        return 0
    }
    context.assumingMemoryBound(to: Int.self).pointee += 1
    return 0
}
