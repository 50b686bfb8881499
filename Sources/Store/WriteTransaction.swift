import CLMDB

/// A write, lent to the closure of `StoreEnvironment.write(_:)`: everything it does is
/// committed together when the closure returns, or not at all.
///
/// Its reads (documented on `ReadableTransaction`) see its own changes. It cannot be copied
/// or kept: it ends when the closure returns.
public struct WriteTransaction: ReadableTransaction, ~Copyable {
    let core: TransactionCore

    init(_ core: TransactionCore) {
        self.core = core
    }

    // MARK: Reading

    public func get(_ table: StoreTable, _ key: [UInt8]) throws(StoreError) -> [UInt8]? {
        try core.value(table, key).map { Array($0) }
    }

    public func withValue<Result>(
        _ table: StoreTable, _ key: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result? {
        guard let value = try core.value(table, key) else {
            return nil
        }
        return try body(value)
    }

    public func forEach(
        _ table: StoreTable, from startKey: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try core.forEach(table, from: startKey, body)
    }

    public func forEachDescending(
        _ table: StoreTable, from startKey: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try core.forEachDescending(table, from: startKey, body)
    }

    public func first(_ table: StoreTable) throws(StoreError) -> (key: [UInt8], value: [UInt8])? {
        try core.entry(table, at: MDB_FIRST)
    }

    public func last(_ table: StoreTable) throws(StoreError) -> (key: [UInt8], value: [UInt8])? {
        try core.entry(table, at: MDB_LAST)
    }

    public func count(_ table: StoreTable) throws(StoreError) -> Int {
        try core.count(table)
    }

    // MARK: Writing

    /// Stores `value` under `key` in `table`, replacing any value there. Throws
    /// `.badValueSize` for an empty or too-long key, `.mapFull` when the map is full (the
    /// write is then retried or fails as a whole), or LMDB's failure.
    public func put(_ table: StoreTable, _ key: [UInt8], _ value: [UInt8]) throws(StoreError) {
        try core.put(table, key, value)
    }

    /// Makes room for a value of `count` bytes under `key` in `table` and lets `fill` write
    /// it in place, saving a copy. `fill` must write every byte (the room is not cleared) and
    /// must not keep the buffer. Throws like `put(_:_:_:)`, and `.badValueSize` for a negative
    /// `count`.
    public func put(
        _ table: StoreTable, _ key: [UInt8], reservingBytes count: Int,
        _ fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(StoreError) {
        try core.put(table, key, reservingBytes: count, fill)
    }

    /// Reads and writes `key` with one search of `table` (where `withValue` and then `put`
    /// search twice): `decide` sees the value stored under it (nil when there is none; the
    /// buffer is LMDB's and lives only for the call) and returns how many bytes to store in
    /// its place, or nil to leave it; `fill` then writes them in place, as for
    /// `put(_:_:reservingBytes:_:)`. Returns whether a value was stored. Throws like `put`.
    @discardableResult
    public func update(
        _ table: StoreTable, _ key: [UInt8], _ decide: (UnsafeRawBufferPointer?) -> Int?,
        fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(StoreError) -> Bool {
        try core.update(table, key, decide, fill: fill)
    }

    /// Removes `key` from `table`; returns false when it was absent. Throws `.badValueSize`
    /// for an empty or too-long key, or LMDB's failure.
    @discardableResult
    public func delete(_ table: StoreTable, _ key: [UInt8]) throws(StoreError) -> Bool {
        try core.delete(table, key)
    }

    /// Removes every key of `table` that sorts below `key`, lowest first (trimming a log, for
    /// instance); returns how many went. Throws LMDB's failure.
    @discardableResult
    public func deleteAll(_ table: StoreTable, below key: [UInt8]) throws(StoreError) -> Int {
        try core.deleteAll(table, below: key)
    }

    /// Removes every entry of `table`, keeping the table. Throws LMDB's failure.
    public func clear(_ table: StoreTable) throws(StoreError) {
        try core.clear(table)
    }
}
