import Synchronization

/// The way a handler answers one request. Any thread may call it; the first answer wins.
///
/// A handler either calls `respond` once, or `startStream` once and then writes to the stream
/// it returns. A blocking job (an LMDB commit, say) can finish on another thread: the answer
/// is handed to the connection's loop without a lock.
public final class Responder: Sendable {
    /// The connection's loop and protocol session, or nil for a callback responder. Kept as
    /// plain stored properties rather than an enum: answering reads them without copying (and
    /// so retaining) an enum's payload.
    private let loop: EventLoop?
    private let sink: LoopBound<any ResponseSink>?
    private let report: (@Sendable (ResponderEvent) -> Void)?
    /// The stream answered; changes only in `reuse`, when nothing else holds the responder.
    private let streamID: Atomic<Int32>
    private let answered = Atomic<Bool>(false)

    init(loop: EventLoop, sink: ResponseSink, streamID: Int32) {
        self.loop = loop
        self.sink = LoopBound(sink)
        report = nil
        self.streamID = Atomic(streamID)
    }

    /// Makes an answered responder ready for another stream of the same session, so a
    /// connection's streams need not allocate one each. Only for a responder nothing else
    /// references any more (`isKnownUniquelyReferenced`): its last handler has let it go.
    func reuse(streamID: Int32) {
        self.streamID.store(streamID, ordering: .relaxed)
        answered.store(false, ordering: .relaxed)
    }

    /// A responder that reports to `onEvent` instead of a connection, for tests and for
    /// callers inside the process.
    public init(onEvent: @escaping @Sendable (ResponderEvent) -> Void) {
        loop = nil
        sink = nil
        report = onEvent
        streamID = Atomic(0)
    }

    /// Whether an answer has been given already.
    public var hasAnswered: Bool {
        answered.load(ordering: .acquiring)
    }

    /// Sends a complete response. Later calls, and calls after the peer went away, do nothing.
    public func respond(_ response: HTTPResponse) {
        guard claim() else { return }
        guard let loop else {
            report.unsafelyUnwrapped(.response(response))
            return
        }
        let streamID = streamID.load(ordering: .relaxed)
        // On the loop already (the common case), answer without allocating a closure.
        if loop.inEventLoop {
            sink.unsafelyUnwrapped.object.sendResponse(response, streamID: streamID)
        } else {
            let sink = sink.unsafelyUnwrapped
            loop.execute { sink.object.sendResponse(response, streamID: streamID) }
        }
    }

    /// Starts a streaming response and returns the stream to write its body to.
    ///
    /// `highWaterBytes` bounds what may wait unsent: past it `write` returns false and the
    /// producer should hold back (or conflate) until `onWritable` fires.
    public func startStream(
        status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), highWaterBytes: Int = 256 * 1024
    ) -> BodyStream {
        guard claim() else { return BodyStream.closedStream() }
        guard let loop, let sink else {
            report.unsafelyUnwrapped(.streamHead(status: status, headers: headers))
            return BodyStream(report: report.unsafelyUnwrapped)
        }
        let streamID = streamID.load(ordering: .relaxed)
        let stream = BodyStream(
            loop: loop, sink: sink.object, streamID: streamID, highWaterBytes: highWaterBytes)
        loop.executeOrRun {
            sink.object.startStreaming(
                status: status, headers: headers, stream: stream, streamID: streamID)
        }
        return stream
    }

    private func claim() -> Bool {
        answered.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing)
            .exchanged
    }
}

