import CLMDB
import Glibc

/// A failure of the store, from LMDB or from the file system beneath it.
///
/// `code` is the kind of failure, for callers that react to it (report a full disk, refuse a
/// bad key); `description` names the LMDB call that failed and carries LMDB's own message.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// The kind of a `StoreError`. A struct rather than an enum, so kinds can be added without
    /// breaking callers that switch over them; compare with `==`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case mapFull, mapResized, diskFull, io, readersFull, corrupted, panic, badValueSize
            case tablesFull, transactionFull, incompatible, badTransaction, badTable
            case keyExists, notFound, permissionDenied, outOfMemory, invalidArgument, alreadyOpen
            case other(Int32)
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The map reached `StoreConfiguration.maxMapBytes`; nothing of the write was kept.
        public static let mapFull = Code(.mapFull)
        /// Another process grew the map while this thread was already inside a transaction,
        /// so the map could not be adopted; retry outside any transaction.
        public static let mapResized = Code(.mapResized)
        /// The file cannot grow: the disk, the user's quota or the process's file size limit
        /// is reached (`ENOSPC`, `EDQUOT`, `EFBIG`, or a commit's `EIO` while no space is
        /// left). Nothing of the failed write is kept.
        public static let diskFull = Code(.diskFull)
        /// The disk failed to read or write (`EIO`).
        public static let io = Code(.io)
        /// Every reader slot stayed taken for as long as a read waits for one.
        public static let readersFull = Code(.readersFull)
        /// The data file is damaged, not an LMDB file, or from another LMDB version.
        public static let corrupted = Code(.corrupted)
        /// LMDB hit a fatal error earlier; the environment must be closed and reopened.
        public static let panic = Code(.panic)
        /// A key is empty or longer than the store allows, or a value size is invalid.
        public static let badValueSize = Code(.badValueSize)
        /// More tables than `StoreConfiguration.maxTables`.
        public static let tablesFull = Code(.tablesFull)
        /// One transaction changed more pages than LMDB holds in memory; split the write.
        public static let transactionFull = Code(.transactionFull)
        /// A table was opened with flags that do not match how it was created.
        public static let incompatible = Code(.incompatible)
        /// The transaction cannot be used any more, usually after an earlier failure in it.
        public static let badTransaction = Code(.badTransaction)
        /// The table handle is not valid in this transaction or environment.
        public static let badTable = Code(.badTable)
        /// The key is already present (only for writes that refuse to overwrite).
        public static let keyExists = Code(.keyExists)
        /// The key is absent (only where absence is an error).
        public static let notFound = Code(.notFound)
        /// The file system refused access (`EACCES`, `EPERM`, `EROFS`).
        public static let permissionDenied = Code(.permissionDenied)
        /// Memory or address space ran out (`ENOMEM`).
        public static let outOfMemory = Code(.outOfMemory)
        /// An argument or configuration value was out of range (`EINVAL`).
        public static let invalidArgument = Code(.invalidArgument)
        /// The directory already has an environment open in this process.
        public static let alreadyOpen = Code(.alreadyOpen)

        /// Any other return code, as LMDB or the system gave it.
        public static func other(_ returnCode: Int32) -> Code {
            Code(.other(returnCode))
        }

        /// The kind for an LMDB or `errno` return code. Every LMDB code has a kind here.
        static func kind(of returnCode: Int32) -> Code {
            switch returnCode {
            case MDB_MAP_FULL: .mapFull
            case MDB_MAP_RESIZED: .mapResized
            case MDB_READERS_FULL, MDB_TLS_FULL: .readersFull
            // A cursor stack too deep or a page without room for a node it was sized for
            // only happen when the tree on disk is not what LMDB wrote.
            case MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_INVALID, MDB_VERSION_MISMATCH,
                MDB_CURSOR_FULL, MDB_PAGE_FULL:
                .corrupted
            case MDB_PANIC: .panic
            case MDB_BAD_VALSIZE: .badValueSize
            case MDB_DBS_FULL: .tablesFull
            case MDB_TXN_FULL: .transactionFull
            case MDB_INCOMPATIBLE: .incompatible
            case MDB_BAD_TXN, MDB_BAD_RSLOT: .badTransaction
            case MDB_BAD_DBI: .badTable
            case MDB_KEYEXIST: .keyExists
            case MDB_NOTFOUND: .notFound
            case ENOSPC, EDQUOT, EFBIG: .diskFull
            case EIO: .io
            case EACCES, EPERM, EROFS: .permissionDenied
            case ENOMEM: .outOfMemory
            case EINVAL: .invalidArgument
            default: .other(returnCode)
            }
        }

        public var description: String {
            switch base {
            case .mapFull: "mapFull"
            case .mapResized: "mapResized"
            case .diskFull: "diskFull"
            case .io: "io"
            case .readersFull: "readersFull"
            case .corrupted: "corrupted"
            case .panic: "panic"
            case .badValueSize: "badValueSize"
            case .tablesFull: "tablesFull"
            case .transactionFull: "transactionFull"
            case .incompatible: "incompatible"
            case .badTransaction: "badTransaction"
            case .badTable: "badTable"
            case .keyExists: "keyExists"
            case .notFound: "notFound"
            case .permissionDenied: "permissionDenied"
            case .outOfMemory: "outOfMemory"
            case .invalidArgument: "invalidArgument"
            case .alreadyOpen: "alreadyOpen"
            case .other(let returnCode): "other(\(returnCode))"
            }
        }
    }

    /// The kind of failure.
    public let code: Code

    /// The call that failed: an LMDB function such as `mdb_put`, or a system call.
    public let operation: String

    /// The code the call returned: an LMDB code (negative) or an `errno` value.
    public let returnCode: Int32

    /// LMDB's text for `returnCode` (`mdb_strerror`), or the store's own explanation.
    public let message: String

    /// The error LMDB or the system reported with `returnCode` from `operation`.
    init(returnCode: Int32, operation: StaticString) {
        self.code = Code.kind(of: returnCode)
        self.operation = operation.description
        self.returnCode = returnCode
        self.message = String(cString: mdb_strerror(returnCode))
    }

    /// An error the store raises itself, with `message` saying why.
    init(_ code: Code, returnCode: Int32, operation: StaticString, message: String) {
        self.code = code
        self.operation = operation.description
        self.returnCode = returnCode
        self.message = message
    }

    public var description: String {
        "\(operation) failed: \(message) (\(code), code \(returnCode))"
    }
}
