import Glibc
import Transport

/// One instance of `Value` per thread, made on first use and freed with the thread: state
/// an event loop keeps for itself without a lock (each connection, and so each request, is
/// served on one loop thread).
final class ThreadLocalCache<Value: AnyObject>: @unchecked Sendable {
    // @unchecked: the key is written once in init; each thread only ever sees its own value.
    private var key = pthread_key_t()
    private let make: @Sendable () -> Value

    init(_ make: @escaping @Sendable () -> Value) {
        self.make = make
        let status = pthread_key_create(&key) { pointer in
            if let pointer { Unmanaged<AnyObject>.fromOpaque(pointer).release() }
        }
        precondition(status == 0, "pthread_key_create failed: \(status)")
    }

    /// The calling thread's value.
    var value: Value {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<AnyObject>.fromOpaque(pointer).takeUnretainedValue() as! Value
        }
        let value = make()
        pthread_setspecific(key, Unmanaged<AnyObject>.passRetained(value as AnyObject).toOpaque())
        return value
    }
}

/// Responses built for stored records, reused while the record and the freshness headers
/// stay the same: a repeated read costs an LMDB lookup of the record's header and no
/// formatting or copying. Entries are checked against the store on every read, so a cached
/// response is never older than the store.
final class ResponseCache {
    struct Entry {
        var version: UInt64
        var publishedAtMicros: Int64
        var epoch: UInt64
        var ageSeconds: Int64
        var stale: Bool
        var etag: String
        var response: HTTPResponse
    }

    /// Past this many entries the cache starts again (a card has thousands of markets).
    static let maxEntries = 100_000
    var entries: [[UInt8]: Entry] = [:]

    func store(_ key: [UInt8], _ entry: Entry) {
        if entries.count >= Self.maxEntries {
            entries.removeAll(keepingCapacity: true)
        }
        entries[key] = entry
    }
}
