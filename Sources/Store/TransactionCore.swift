import CLMDB

/// What a write transaction remembers across its operations, for `StoreEnvironment.write`.
struct WriteOutcome {
    /// The first operation that found the map full. LMDB refuses everything after it, so the
    /// transaction is aborted, the map grown, and the write run again.
    var mapFullOperation: StaticString?
}

/// The operations shared by `ReadTransaction` and `WriteTransaction`, on one open LMDB
/// transaction. Copyable inside the module only; the public types around it are not.
struct TransactionCore {
    let txn: OpaquePointer
    let maxKeyBytes: Int

    /// Where a write transaction records a full map; nil for reads.
    let outcome: UnsafeMutablePointer<WriteOutcome>?

    /// `LMDB.check`, noting a full map for the write's retry.
    @inline(__always)
    func check(_ code: Int32, _ operation: StaticString) throws(StoreError) {
        if code == MDB_MAP_FULL, let outcome, outcome.pointee.mapFullOperation == nil {
            outcome.pointee.mapFullOperation = operation
        }
        try LMDB.check(code, operation)
    }

    /// `LMDB.checkFound`, noting a full map for the write's retry.
    @inline(__always)
    func checkFound(_ code: Int32, _ operation: StaticString) throws(StoreError) -> Bool {
        if code == MDB_NOTFOUND {
            return false
        }
        try check(code, operation)
        return true
    }

    /// Throws `.badValueSize` for a key LMDB cannot store, before LMDB sees it.
    @inline(__always)
    func validate(key: [UInt8], _ operation: StaticString) throws(StoreError) {
        if key.isEmpty || key.count > maxKeyBytes {
            throw StoreError(returnCode: MDB_BAD_VALSIZE, operation: operation)
        }
    }

    // MARK: Reading

    func value(_ table: StoreTable, _ key: [UInt8]) throws(StoreError) -> UnsafeRawBufferPointer? {
        let result = key.withUnsafeBytes { keyBytes in
            Result { () throws(StoreError) in try value(table, keyBytes) }
        }
        return try result.get()
    }

    func value(_ table: StoreTable, _ key: UnsafeRawBufferPointer)
        throws(StoreError) -> UnsafeRawBufferPointer?
    {
        if key.isEmpty || key.count > maxKeyBytes {
            throw StoreError(returnCode: MDB_BAD_VALSIZE, operation: "mdb_get")
        }
        var value = MDB_val()
        var keyValue = MDB_val(key)
        let code = mdb_get(txn, table.dbi, &keyValue, &value)
        guard try checkFound(code, "mdb_get") else {
            return nil
        }
        return UnsafeRawBufferPointer(value)
    }

    func forEach(
        _ table: StoreTable, from startKey: [UInt8]?,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try walk(table, from: startKey, descending: false, body)
    }

    func forEachDescending(
        _ table: StoreTable, from startKey: [UInt8]?,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        try walk(table, from: startKey, descending: true, body)
    }

    /// Hands `body` the entries from `startKey` on (ascending: the first key not below it;
    /// descending: the last key not above it) until it returns false or the table ends.
    private func walk(
        _ table: StoreTable, from startKey: [UInt8]?, descending: Bool,
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        let cursor = try Cursor(self, table)
        var key = MDB_val()
        var value = MDB_val()
        var code: Int32
        if let startKey, !startKey.isEmpty {
            try validate(key: startKey, "mdb_cursor_get")
            code = startKey.withUnsafeBytes { startBytes in
                key = MDB_val(startBytes)
                return cursor.get(&key, &value, MDB_SET_RANGE)
            }
            if descending {
                // The first key not below the start: one step back when it is above it, or
                // the table's last key when every key is below the start.
                if try checkFound(code, "mdb_cursor_get") {
                    if !UnsafeRawBufferPointer(key).elementsEqual(startKey) {
                        code = cursor.get(&key, &value, MDB_PREV)
                    }
                } else {
                    code = cursor.get(&key, &value, MDB_LAST)
                }
            }
        } else {
            code = cursor.get(&key, &value, descending ? MDB_LAST : MDB_FIRST)
        }
        let step = descending ? MDB_PREV : MDB_NEXT
        while try checkFound(code, "mdb_cursor_get") {
            guard try body(UnsafeRawBufferPointer(key), UnsafeRawBufferPointer(value)) else {
                return
            }
            code = cursor.get(&key, &value, step)
        }
    }

    func entry(
        _ table: StoreTable, at position: MDB_cursor_op
    ) throws(StoreError) -> (key: [UInt8], value: [UInt8])? {
        let cursor = try Cursor(self, table)
        var key = MDB_val()
        var value = MDB_val()
        guard try checkFound(cursor.get(&key, &value, position), "mdb_cursor_get") else {
            return nil
        }
        return (Array(UnsafeRawBufferPointer(key)), Array(UnsafeRawBufferPointer(value)))
    }

    func count(_ table: StoreTable) throws(StoreError) -> Int {
        var statistics = MDB_stat()
        try check(mdb_stat(txn, table.dbi, &statistics), "mdb_stat")
        return statistics.ms_entries
    }

    // MARK: Writing

    func put(_ table: StoreTable, _ key: [UInt8], _ value: [UInt8]) throws(StoreError) {
        try validate(key: key, "mdb_put")
        let code = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                var key = MDB_val(keyBytes)
                // LMDB copies from the value's address even for no bytes; give it a real one.
                var value = MDB_val(valueBytes, orEmptyAt: keyBytes.baseAddress)
                return mdb_put(txn, table.dbi, &key, &value, 0)
            }
        }
        try check(code, "mdb_put")
    }

    func put(
        _ table: StoreTable, _ key: [UInt8], reservingBytes count: Int,
        _ fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(StoreError) {
        try validate(key: key, "mdb_put")
        guard count >= 0 else {
            throw StoreError(returnCode: MDB_BAD_VALSIZE, operation: "mdb_put")
        }
        var value = MDB_val(mv_size: count, mv_data: nil)
        let code = key.withUnsafeBytes { keyBytes in
            var key = MDB_val(keyBytes)
            return mdb_put(txn, table.dbi, &key, &value, UInt32(MDB_RESERVE))
        }
        try check(code, "mdb_put")
        fill(UnsafeMutableRawBufferPointer(start: value.mv_data, count: count))
    }

    /// One search for a read and a write: the cursor that found the value replaces it.
    func update(
        _ table: StoreTable, _ key: [UInt8], _ decide: (UnsafeRawBufferPointer?) -> Int?,
        fill: (UnsafeMutableRawBufferPointer) -> Void
    ) throws(StoreError) -> Bool {
        try validate(key: key, "mdb_cursor_get")
        let cursor = try Cursor(self, table)
        let result = key.withUnsafeBytes { keyBytes in
            Result { () throws(StoreError) -> Bool in
                var key = MDB_val(keyBytes)
                var found = MDB_val()
                // MDB_SET leaves `key` pointing at the caller's bytes (MDB_SET_KEY would point
                // it into the page, which the resizing put below may free).
                let exists = try checkFound(cursor.get(&key, &found, MDB_SET), "mdb_cursor_get")
                guard let count = decide(exists ? UnsafeRawBufferPointer(found) : nil) else {
                    return false
                }
                guard count >= 0 else {
                    throw StoreError(returnCode: MDB_BAD_VALSIZE, operation: "mdb_cursor_put")
                }
                // MDB_CURRENT replaces the entry the cursor is on, resizing it as needed, with
                // no second search; a new key is inserted as by `put` (which searches again).
                var value = MDB_val(mv_size: count, mv_data: nil)
                let flags = UInt32(MDB_RESERVE) | (exists ? UInt32(MDB_CURRENT) : 0)
                try check(mdb_cursor_put(cursor.handle, &key, &value, flags), "mdb_cursor_put")
                fill(UnsafeMutableRawBufferPointer(start: value.mv_data, count: count))
                return true
            }
        }
        return try result.get()
    }

    func delete(_ table: StoreTable, _ key: [UInt8]) throws(StoreError) -> Bool {
        try validate(key: key, "mdb_del")
        let code = key.withUnsafeBytes { keyBytes in
            var key = MDB_val(keyBytes)
            return mdb_del(txn, table.dbi, &key, nil)
        }
        return try checkFound(code, "mdb_del")
    }

    func deleteAll(_ table: StoreTable, below bound: [UInt8]) throws(StoreError) -> Int {
        guard !bound.isEmpty else {
            return 0
        }
        let cursor = try Cursor(self, table)
        var key = MDB_val()
        var value = MDB_val()
        var deleted = 0
        var code = cursor.get(&key, &value, MDB_FIRST)
        while try checkFound(code, "mdb_cursor_get") {
            let isBelow = bound.withUnsafeBytes { boundBytes in
                var bound = MDB_val(boundBytes)
                return mdb_cmp(txn, table.dbi, &key, &bound) < 0
            }
            guard isBelow else {
                break
            }
            try check(mdb_cursor_del(cursor.handle, 0), "mdb_cursor_del")
            deleted += 1
            // After a delete the cursor already sits on the next entry; MDB_NEXT returns it
            // rather than skipping past it.
            code = cursor.get(&key, &value, MDB_NEXT)
        }
        return deleted
    }

    func clear(_ table: StoreTable) throws(StoreError) {
        try check(mdb_drop(txn, table.dbi, 0), "mdb_drop")
    }
}

extension MDB_val {
    /// A value pointing at `bytes`, which must outlive it.
    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer) {
        self.init(
            mv_size: bytes.count, mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress))
    }

    /// A value pointing at `bytes`, or at `fallback` with no bytes when `bytes` has no address.
    @inline(__always)
    init(_ bytes: UnsafeRawBufferPointer, orEmptyAt fallback: UnsafeRawPointer?) {
        self.init(
            mv_size: bytes.count,
            mv_data: UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? fallback))
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes an LMDB value points at.
    @inline(__always)
    init(_ value: MDB_val) {
        self.init(start: value.mv_data, count: value.mv_size)
    }
}
