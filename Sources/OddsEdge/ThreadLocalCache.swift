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
            return Unmanaged<Value>.fromOpaque(pointer).takeUnretainedValue()
        }
        let value = make()
        pthread_setspecific(key, Unmanaged.passRetained(value).toOpaque())
        return value
    }
}
