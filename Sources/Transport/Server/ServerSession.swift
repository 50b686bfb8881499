/// The protocol half of a server connection: HTTP/2 or HTTP/1.1. Loop thread only.
protocol ServerSession: AnyObject {
    /// Feeds bytes read from the peer. Returns false when the connection must close (after
    /// what is queued has been written).
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Appends bytes to send, up to about `limit` in total in `buffer`.
    func produceOutput(into buffer: inout OutputBuffer, limit: Int)
    /// Whether the session has finished and the connection should close once flushed.
    var wantsClose: Bool { get }
    /// Whether nothing is in progress: no open stream and no handler in flight.
    var isIdle: Bool { get }
    /// Whether response bytes are waiting for the peer to open its window or read.
    var hasBlockedOutput: Bool { get }
    /// Whether the peer has sent what opens the protocol (HTTP/2 preface and SETTINGS).
    var prefaceReceived: Bool { get }
    /// Resets or answers requests whose headers have been arriving for too long.
    func expireSlowHeaders(now: UInt64)
    /// Starts a graceful close: no new requests; open ones may finish.
    func beginShutdown()
    /// The connection is gone: ends every stream and tells their producers.
    func connectionClosed()
}

/// What a session asks of the connection that carries it. Loop thread only.
protocol ServerSessionOwner: AnyObject {
    /// The session has new output; the connection writes it at the end of this iteration.
    func sessionHasOutput()
}
