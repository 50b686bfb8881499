/// The body of a request handed to a streaming route while it is still arriving.
///
/// Chunks are delivered on the connection's loop, in order, as they come off the wire, then
/// exactly one end: nil when the body ended, or the error that cut it short (the peer reset
/// the stream, the connection went). Chunks that arrive before `read` is called wait, up to
/// the server's request body limit; past it the stream is reset.
public final class RequestBodyStream: @unchecked Sendable {
    // @unchecked: all mutable state is touched only on `loop` (asserted); `read` from another
    // thread hops there first.

    private let loop: EventLoop?
    private var pending: [[UInt8]] = []
    private var pendingBytes = 0
    private var ending: TransportError??
    private var onChunk: (@Sendable ([UInt8]) -> Void)?
    private var onEnd: (@Sendable (TransportError?) -> Void)?

    init(loop: EventLoop?) {
        self.loop = loop
    }

    /// A body that is already whole, for requests that arrived complete (HTTP/1.1, tests).
    public convenience init(complete body: [UInt8]) {
        self.init(loop: nil)
        if !body.isEmpty {
            pending = [body]
        }
        ending = .some(nil)
    }

    /// Starts delivery: `onChunk` for each piece, then `onEnd` once. Call once. Any thread.
    public func read(
        onChunk: @escaping @Sendable ([UInt8]) -> Void,
        onEnd: @escaping @Sendable (TransportError?) -> Void
    ) {
        guard let loop else {
            start(onChunk: onChunk, onEnd: onEnd)
            return
        }
        loop.executeOrRun { [self] in start(onChunk: onChunk, onEnd: onEnd) }
    }

    /// Bytes received but not yet delivered because `read` has not been called.
    var bufferedBytes: Int {
        pendingBytes
    }

    // MARK: Connection side (loop thread only)

    func deliver(_ chunk: [UInt8]) {
        loop?.assertInEventLoop()
        guard ending == nil else { return }
        if let onChunk {
            onChunk(chunk)
        } else {
            pending.append(chunk)
            pendingBytes += chunk.count
        }
    }

    func finish(_ error: TransportError?) {
        loop?.assertInEventLoop()
        guard ending == nil else { return }
        ending = .some(error)
        if let onEnd {
            self.onEnd = nil
            onChunk = nil
            onEnd(error)
        }
    }

    private func start(
        onChunk: @escaping @Sendable ([UInt8]) -> Void,
        onEnd: @escaping @Sendable (TransportError?) -> Void
    ) {
        guard self.onChunk == nil, self.onEnd == nil else { return }
        let waiting = pending
        pending = []
        pendingBytes = 0
        for chunk in waiting {
            onChunk(chunk)
        }
        if let ending {
            onEnd(ending)
        } else {
            self.onChunk = onChunk
            self.onEnd = onEnd
        }
    }
}
