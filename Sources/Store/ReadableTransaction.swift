/// The reads that both `ReadTransaction` and `WriteTransaction` offer.
///
/// Transactions are lent to a closure and cannot be copied out of it. To share code between
/// reads and writes, take one as `borrowing some ReadableTransaction & ~Copyable`.
///
/// Buffers passed to a closure point into LMDB's map (or, in a write, into the transaction's
/// pages) and are valid only inside that closure: copy what must outlive it. Beyond what
/// LMDB allocates for a cursor, these operations allocate only the arrays they return.
public protocol ReadableTransaction: ~Copyable {
    /// Returns a copy of the value stored under `key` in `table`, or nil when there is none.
    /// Throws `.badValueSize` for an empty or too-long key, or LMDB's failure.
    func get(_ table: StoreTable, _ key: [UInt8]) throws(StoreError) -> [UInt8]?

    /// Runs `body` on the value stored under `key` in `table` without copying it, and returns
    /// what `body` returns; nil, without running `body`, when there is no value. The buffer is
    /// valid inside `body` only. Throws what `body` throws, `.badValueSize` for an empty or
    /// too-long key, or LMDB's failure.
    func withValue<Result>(
        _ table: StoreTable, _ key: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result?

    /// Calls `body` with each key and value of `table` in ascending key order, starting at
    /// the first key not below `startKey` (at the first key when it is nil or empty), until
    /// `body` returns false or the table ends. The buffers are valid inside each call only.
    /// Throws what `body` throws, `.badValueSize` for a too-long `startKey`, or LMDB's
    /// failure.
    func forEach(
        _ table: StoreTable, from startKey: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws

    /// Calls `body` with each key and value of `table` in descending key order, starting at
    /// the last key not above `startKey` (at the last key when it is nil or empty), until
    /// `body` returns false or the table's start is passed. The same buffers and errors as
    /// `forEach(_:from:_:)`.
    func forEachDescending(
        _ table: StoreTable, from startKey: [UInt8]?,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws

    /// Returns copies of the lowest key of `table` and its value, or nil when it is empty.
    /// Throws LMDB's failure.
    func first(_ table: StoreTable) throws(StoreError) -> (key: [UInt8], value: [UInt8])?

    /// Returns copies of the highest key of `table` and its value, or nil when it is empty.
    /// Throws LMDB's failure.
    func last(_ table: StoreTable) throws(StoreError) -> (key: [UInt8], value: [UInt8])?

    /// Returns how many entries `table` holds, without walking it. Throws LMDB's failure.
    func count(_ table: StoreTable) throws(StoreError) -> Int
}

extension ReadableTransaction where Self: ~Copyable {
    /// `forEach(_:from:_:)` from the first key of `table`.
    public func forEach(
        _ table: StoreTable,
        _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try forEach(table, from: nil, body)
    }
}
