import CLMDB

/// The one way this module checks what LMDB returns: every call's result goes through
/// `check`, which turns anything but success into a `StoreError` naming the call.
enum LMDB {
    /// Returns when `code` is `MDB_SUCCESS`; throws a `StoreError` for `operation` otherwise.
    @inline(__always)
    static func check(_ code: Int32, _ operation: StaticString) throws(StoreError) {
        if code != MDB_SUCCESS {
            throw StoreError(returnCode: code, operation: operation)
        }
    }

    /// Returns true on `MDB_SUCCESS` and false on `MDB_NOTFOUND`; throws on anything else.
    @inline(__always)
    static func checkFound(_ code: Int32, _ operation: StaticString) throws(StoreError) -> Bool {
        if code == MDB_NOTFOUND {
            return false
        }
        try check(code, operation)
        return true
    }
}
