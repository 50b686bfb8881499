/// The streams of one HTTP/2 session that are open, as an intrusive doubly linked list, with
/// the closed ones kept for reuse. Loop thread only.
///
/// Lookups by id go through nghttp2's own stream map (the stream user data), so this only has
/// to own the streams and let the session walk them for timeouts. `owned` holds the only
/// strong reference to every stream made; the open list and the free list link them without
/// one, so opening and closing a stream are a few pointer moves, with no hashing and no
/// reference counting, and a reused stream keeps its header buffers.
///
/// nghttp2 refuses streams beyond the advertised concurrency limit, so `owned` stays near that
/// limit; past `keptLimit` a closed stream is let go instead of kept.
struct OpenStreams {
    private var owned: [ServerStream] = []
    private var head: Unmanaged<ServerStream>?
    private var free: Unmanaged<ServerStream>?
    private(set) var count = 0
    private static let keptLimit = 128

    var isEmpty: Bool {
        count == 0
    }

    /// A stream for `id`, reused from the free list when one is there, now in the list.
    mutating func open(id: Int32, now: UInt64) -> ServerStream {
        let stream: ServerStream
        if let reused = free {
            free = reused._withUnsafeGuaranteedRef { $0.next }
            stream = reused.takeUnretainedValue()
            stream.reset(id: id, now: now)
        } else {
            stream = ServerStream(id: id, now: now)
            owned.append(stream)
        }
        let link = Unmanaged.passUnretained(stream)
        stream.next = head
        stream.previous = nil
        head?._withUnsafeGuaranteedRef { $0.previous = link }
        head = link
        count += 1
        return stream
    }

    /// Takes `stream` out of the list; it is kept for reuse, or let go when `owned` is over its
    /// limit (the caller's reference keeps it alive until the caller is done with it).
    mutating func close(_ stream: ServerStream) {
        guard stream.isListed else { return }
        let next = stream.next
        let previous = stream.previous
        if let previous {
            previous._withUnsafeGuaranteedRef { $0.next = next }
        } else {
            head = next
        }
        next?._withUnsafeGuaranteedRef { $0.previous = previous }
        stream.previous = nil
        stream.isListed = false
        count -= 1
        if owned.count > Self.keptLimit, let index = owned.firstIndex(where: { $0 === stream }) {
            stream.next = nil
            owned.swapAt(index, owned.count - 1)
            owned.removeLast()
            return
        }
        stream.clear()
        stream.next = free
        free = Unmanaged.passUnretained(stream)
    }

    /// Every open stream, for the end of the connection.
    var all: [ServerStream] {
        var result: [ServerStream] = []
        result.reserveCapacity(count)
        forEach { result.append($0) }
        return result
    }

    /// Calls `body` with each open stream, without making an array (the timeout sweep runs
    /// for every connection several times a second). `body` must not open or close streams.
    func forEach(_ body: (ServerStream) -> Void) {
        var cursor = head
        while let link = cursor {
            cursor = link._withUnsafeGuaranteedRef { $0.next }
            body(link.takeUnretainedValue())
        }
    }

    /// Whether an open stream satisfies `predicate`.
    func contains(where predicate: (ServerStream) -> Bool) -> Bool {
        var cursor = head
        while let link = cursor {
            if predicate(link.takeUnretainedValue()) { return true }
            cursor = link._withUnsafeGuaranteedRef { $0.next }
        }
        return false
    }

    /// Empties the list and lets every stream go (the connection has gone). Callers that still
    /// need the open streams take `all` first.
    mutating func removeAll() {
        for stream in owned {
            stream.next = nil
            stream.previous = nil
            stream.isListed = false
        }
        head = nil
        free = nil
        count = 0
        owned.removeAll()
    }
}
