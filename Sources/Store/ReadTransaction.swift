import CLMDB

/// A consistent, read-only snapshot of the store, lent to the closure of
/// `StoreEnvironment.read(_:)`.
///
/// It sees every write committed before it began and nothing committed after, so a reader
/// never sees a write halfway. It cannot be copied or kept: it ends when the closure returns.
/// The reads are documented on `ReadableTransaction`.
public struct ReadTransaction: ReadableTransaction, ~Copyable {
    let core: TransactionCore

    init(_ core: TransactionCore) {
        self.core = core
    }

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

    /// `withValue(_:_:_:)` with the key as bytes that need not be an array (a request's
    /// path parameter, say). The same errors.
    public func withValue<Result>(
        _ table: StoreTable, keyBytes key: UnsafeRawBufferPointer,
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
}
