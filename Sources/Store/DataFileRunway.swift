import CLMDB
import Glibc
import Synchronization

/// Keeps written zeros ahead of the last page LMDB uses, so that commits write into blocks
/// the data file already has instead of growing it.
///
/// A commit that grows the file changes its size, and `fdatasync` must then commit the file
/// system's journal as well as flush the data: measured here that costs about half as much
/// again per flush, and on ext4 (ordered mode) the journal commit can also wait behind other
/// files' data, which stalled origin commits for up to 60 ms. With a runway, the file grows
/// one chunk of zeros at a time, and only the commit after that pays for the journal.
///
/// Zeros go only beyond the last page of the last commit, which no reader reads and no
/// transaction is writing (the writer thread extends between its own commits), and never
/// beyond the map. A failed write of zeros (a full disk) stops the runway; LMDB grows the
/// file itself then, as it would without one, and reports a full disk from its commit.
final class DataFileRunway: Sendable {
    /// How much the file is grown at a time, and the least room kept ahead, in bytes.
    static let chunkBytes = 1 << 20

    /// The file's size as last seen or grown to, in bytes; 0 before the first look, -1 once
    /// a write of zeros failed. Writer thread only (atomic to be Sendable).
    private let fileBytes = Atomic<Int>(0)

    private static let zeros = [UInt8](repeating: 0, count: chunkBytes)

    /// After a commit, on the writer thread, with the map held: grows the file by a chunk of
    /// zeros when less than a chunk is left beyond the last page in use.
    func extend(_ env: OpaquePointer) {
        var size = fileBytes.load(ordering: .relaxed)
        guard size >= 0 else { return }
        var info = MDB_envinfo()
        var stat = MDB_stat()
        guard mdb_env_info(env, &info) == MDB_SUCCESS, mdb_env_stat(env, &stat) == MDB_SUCCESS
        else { return }
        let used = (info.me_last_pgno + 1) * Int(stat.ms_psize)
        guard size - used < Self.chunkBytes else { return }

        var fd: Int32 = -1
        guard mdb_env_get_fd(env, &fd) == MDB_SUCCESS else { return }
        var status = Glibc.stat()
        guard fstat(fd, &status) == 0 else { return }
        size = Int(status.st_size)
        let target = min(max(size, used) + Self.chunkBytes, info.me_mapsize)
        guard size - used < Self.chunkBytes, target > size else {
            fileBytes.store(size, ordering: .relaxed)
            return
        }
        let written = Self.zeros.withUnsafeBytes { zeros in
            pwrite(fd, zeros.baseAddress, target - size, off_t(size))
        }
        fileBytes.store(written == target - size ? target : -1, ordering: .relaxed)
    }
}
