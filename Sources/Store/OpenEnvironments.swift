import CLMDB
import Glibc

/// The directories that have an environment open in this process.
///
/// LMDB's lock file relies on POSIX record locks, which belong to the process, not to the
/// environment: if one process opened a directory twice, closing either copy would drop the
/// locks of both, and another process could then reset the reader table under live readers.
/// So a second open of a directory that is still open here is refused.
final class OpenEnvironments: @unchecked Sendable {
    // @unchecked: `open` is only touched while `mutex` is held.

    /// A directory as the file system knows it, whatever path led to it.
    struct Identity: Hashable {
        let device: UInt64
        let inode: UInt64
    }

    static let shared = OpenEnvironments()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var open: Set<Identity> = []

    private init() {
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    /// Records `directory` as open and returns its identity, for `unregister(_:)`. Throws
    /// `.alreadyOpen` when it is open already, or the `stat` failure. Any thread.
    func register(_ directory: String) throws(StoreError) -> Identity {
        var status = stat()
        try LMDB.check(stat(directory, &status) == 0 ? 0 : errno, "stat")
        let identity = Identity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))

        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard open.insert(identity).inserted else {
            throw StoreError(
                .alreadyOpen, returnCode: EBUSY, operation: "mdb_env_open",
                message: "\(directory) already has an environment open in this process")
        }
        return identity
    }

    /// Forgets an identity from `register(_:)`. Any thread.
    func unregister(_ identity: Identity) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        open.remove(identity)
    }
}
