import CLMDB

/// An LMDB cursor over one table, closed when it goes out of scope. Lives inside one
/// transaction's closure, on its thread.
struct Cursor: ~Copyable {
    let handle: OpaquePointer

    /// Opens a cursor on `table` in `transaction`. Throws when LMDB cannot.
    init(_ transaction: TransactionCore, _ table: StoreTable) throws(StoreError) {
        var opened: OpaquePointer?
        try transaction.check(
            mdb_cursor_open(transaction.txn, table.dbi, &opened), "mdb_cursor_open")
        guard let opened else {
            preconditionFailure("mdb_cursor_open succeeded without a cursor")
        }
        handle = opened
    }

    deinit {
        mdb_cursor_close(handle)
    }

    /// Moves the cursor by `operation`, filling `key` and `value`; returns LMDB's code.
    @inline(__always)
    func get(_ key: inout MDB_val, _ value: inout MDB_val, _ operation: MDB_cursor_op) -> Int32 {
        mdb_cursor_get(handle, &key, &value, operation)
    }
}
