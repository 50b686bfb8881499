import CLMDB

/// A named table (an LMDB named database) of one `StoreEnvironment`, from
/// `StoreEnvironment.table(_:)`.
///
/// Keys are compared byte by byte, shorter first on a tie, so big-endian integers from
/// `StoreKey` sort numerically. A table is only meaningful with the environment that opened
/// it; keep it beside that environment.
public struct StoreTable: Sendable, Hashable {
    /// The table's name in the environment.
    public let name: String

    /// LMDB's handle for the table, valid for the life of the environment that opened it.
    let dbi: MDB_dbi

    init(name: String, dbi: MDB_dbi) {
        self.name = name
        self.dbi = dbi
    }
}
