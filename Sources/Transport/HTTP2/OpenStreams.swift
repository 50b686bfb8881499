/// The streams of one HTTP/2 session that are open, as an intrusive doubly linked list, with
/// a small pool of closed ones to reuse. Loop thread only.
///
/// Lookups by id go through nghttp2's own stream map (the stream user data), so this only has
/// to own the streams and let the session walk them for timeouts: adding and removing are a
/// few pointer moves, with no hashing, and a reused stream keeps its header buffers.
struct OpenStreams {
    private var head: ServerStream?
    private(set) var count = 0
    private var pool: [ServerStream] = []
    private static let poolLimit = 128

    var isEmpty: Bool {
        count == 0
    }

    /// A stream for `id`, reused from the pool when one is there, now in the list.
    mutating func open(id: Int32, now: UInt64) -> ServerStream {
        let stream: ServerStream
        if let reused = pool.popLast() {
            reused.reset(id: id, now: now)
            stream = reused
        } else {
            stream = ServerStream(id: id, now: now)
        }
        stream.next = head
        head?.previous = stream
        head = stream
        count += 1
        return stream
    }

    /// Takes `stream` out of the list; it goes back to the pool.
    mutating func close(_ stream: ServerStream) {
        guard stream.isListed else { return }
        if let previous = stream.previous {
            previous.next = stream.next
        } else {
            head = stream.next
        }
        stream.next?.previous = stream.previous
        stream.next = nil
        stream.previous = nil
        stream.isListed = false
        count -= 1
        if pool.count < Self.poolLimit {
            stream.clear()
            pool.append(stream)
        }
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
        while let stream = cursor {
            cursor = stream.next
            body(stream)
        }
    }

    /// Whether an open stream satisfies `predicate`.
    func contains(where predicate: (ServerStream) -> Bool) -> Bool {
        var cursor = head
        while let stream = cursor {
            if predicate(stream) { return true }
            cursor = stream.next
        }
        return false
    }

    /// Empties the list without pooling (the connection has gone).
    mutating func removeAll() {
        var cursor = head
        while let stream = cursor {
            cursor = stream.next
            stream.next = nil
            stream.previous = nil
            stream.isListed = false
        }
        head = nil
        count = 0
        pool.removeAll()
    }
}
