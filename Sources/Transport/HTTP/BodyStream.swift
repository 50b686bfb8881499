import Synchronization

/// The body of a long-lived message written piece by piece: a streaming response (the feed,
/// Server-Sent Events) on the server, or a streaming request body on the client.
///
/// Any thread may write. What is written waits in a bounded buffer until the peer's flow
/// control lets it out; `write` reports when that buffer passes its high-water mark, so a
/// producer learns that the peer stopped reading and can hold back or conflate instead of
/// queueing without bound. `onWritable` fires (on the connection's loop) once the buffer has
/// drained below a quarter of the mark again; `onClose` fires once when the stream ends for
/// any reason: finished, reset by the peer, or the connection gone.
public final class BodyStream: @unchecked Sendable {
    // @unchecked: `chunks`, `headOffset`, `finished`, `writableHandler` and `closeHandler`
    // are touched only on `loop` (asserted); producers on other threads reach them through
    // `loop.executeOrRun`. `pendingBytes` and `closed` are atomics read from any thread.

    private let loop: EventLoop?
    /// Cleared when the stream closes, which also breaks the cycle with a sink that holds
    /// this stream.
    private var sink: (any BodyStreamSink)?
    private let streamID: Int32
    private let report: (@Sendable (ResponderEvent) -> Void)?
    public let highWaterBytes: Int

    private let pendingBytes = Atomic<Int>(0)
    private let closed = Atomic<Bool>(false)
    private let aboveHighWater = Atomic<Bool>(false)

    private var chunks: [[UInt8]] = []
    /// Bytes in `chunks` not yet read. Loop thread only.
    private var queuedBytes = 0
    private var headIndex = 0
    private var headOffset = 0
    private var finished = false
    private var writableHandler: (@Sendable () -> Void)?
    private var closeHandler: (@Sendable () -> Void)?

    init(loop: EventLoop, sink: any BodyStreamSink, streamID: Int32, highWaterBytes: Int) {
        self.loop = loop
        self.sink = sink
        self.streamID = streamID
        self.report = nil
        self.highWaterBytes = max(1, highWaterBytes)
    }

    init(report: @escaping @Sendable (ResponderEvent) -> Void) {
        loop = nil
        sink = nil
        streamID = 0
        self.report = report
        highWaterBytes = Int.max
    }

    static func closedStream() -> BodyStream {
        let stream = BodyStream(report: { _ in })
        stream.closed.store(true, ordering: .releasing)
        return stream
    }

    // MARK: Producer side (any thread)

    /// Queues `bytes`. Returns false when the unsent total is past the high-water mark (the
    /// bytes are still queued) or the stream is closed (the bytes are dropped).
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        guard !closed.load(ordering: .acquiring) else { return false }
        if let report {
            report(.streamData(bytes))
            return true
        }
        let total = pendingBytes.wrappingAdd(bytes.count, ordering: .acquiringAndReleasing)
            .newValue
        loop!.executeOrRun { [self] in
            guard !finished, !closed.load(ordering: .relaxed) else { return }
            chunks.append(bytes)
            queuedBytes += bytes.count
            sink?.streamHasOutput(streamID: streamID)
        }
        if total > highWaterBytes {
            aboveHighWater.store(true, ordering: .releasing)
            return false
        }
        return true
    }

    /// Ends the body after what was written. Any thread.
    public func finish() {
        if let report {
            if closed.compareExchange(
                expected: false, desired: true, ordering: .acquiringAndReleasing
            ).exchanged
            {
                report(.streamEnd)
            }
            return
        }
        loop!.executeOrRun { [self] in
            guard !finished, !closed.load(ordering: .relaxed) else { return }
            finished = true
            sink?.streamHasOutput(streamID: streamID)
        }
    }

    /// Whether a write now would stay under the high-water mark. Any thread.
    public var isWritable: Bool {
        !closed.load(ordering: .acquiring)
            && pendingBytes.load(ordering: .acquiring) <= highWaterBytes
    }

    /// Whether the stream has ended and takes no more bytes. Any thread.
    public var isClosed: Bool {
        closed.load(ordering: .acquiring)
    }

    /// Bytes written but not yet handed to the connection. Any thread.
    public var bufferedBytes: Int {
        pendingBytes.load(ordering: .acquiring)
    }

    /// Sets what runs on the connection's loop when the buffer drains after passing the
    /// high-water mark. Any thread.
    public func onWritable(_ handler: @escaping @Sendable () -> Void) {
        guard let loop else { return }
        loop.executeOrRun { [self] in writableHandler = handler }
    }

    /// Sets what runs once on the connection's loop when the stream ends. Runs at once (on
    /// the loop) when it has ended already. Any thread.
    public func onClose(_ handler: @escaping @Sendable () -> Void) {
        guard let loop else {
            if closed.load(ordering: .acquiring) { handler() }
            return
        }
        loop.executeOrRun { [self] in
            if closed.load(ordering: .relaxed) {
                handler()
            } else {
                closeHandler = handler
            }
        }
    }

    // MARK: Connection side (loop thread only)

    /// Copies up to `buffer.count` queued bytes into `buffer`. Returns how many, and whether
    /// the body has ended with them.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> (count: Int, endOfBody: Bool) {
        var copied = 0
        return drain(upTo: buffer.count) { part in
            let target = buffer.baseAddress! + copied
            target.copyMemory(from: part.baseAddress!, byteCount: part.count)
            copied += part.count
        }
    }

    /// Appends up to `maxBytes` queued bytes to `output`. Returns how many, and whether the
    /// body has ended with them.
    func read(
        upTo maxBytes: Int, into output: inout OutputBuffer
    ) -> (count: Int, endOfBody: Bool) {
        drain(upTo: maxBytes) { output.append($0) }
    }

    /// Bytes queued and not yet read.
    var readableBytes: Int {
        loop?.assertInEventLoop()
        return queuedBytes
    }

    /// Hands up to `maxBytes` queued bytes to `copy`, in order and in pieces, and schedules
    /// `onWritable` when the buffer has drained enough.
    private func drain(
        upTo maxBytes: Int, _ copy: (UnsafeRawBufferPointer) -> Void
    ) -> (count: Int, endOfBody: Bool) {
        loop?.assertInEventLoop()
        var copied = 0
        while copied < maxBytes, headIndex < chunks.count {
            let chunk = chunks[headIndex]
            let take = min(chunk.count - headOffset, maxBytes - copied)
            chunk.withUnsafeBytes { source in
                copy(UnsafeRawBufferPointer(rebasing: source[headOffset..<headOffset + take]))
            }
            copied += take
            headOffset += take
            if headOffset == chunk.count {
                headIndex += 1
                headOffset = 0
            }
        }
        if headIndex == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            headIndex = 0
        } else if headIndex > 64 {
            chunks.removeFirst(headIndex)
            headIndex = 0
        }
        if copied > 0 {
            queuedBytes -= copied
            let remaining = pendingBytes.wrappingSubtract(copied, ordering: .acquiringAndReleasing)
                .newValue
            if remaining <= highWaterBytes / 4,
                aboveHighWater.compareExchange(
                    expected: true, desired: false, ordering: .acquiringAndReleasing
                ).exchanged, let writableHandler, let loop
            {
                // Not from here: this runs inside the connection's output path, and the
                // handler writes again. The loop runs it once the output step is over.
                loop.execute(writableHandler)
            }
        }
        return (copied, finished && headIndex == chunks.count)
    }

    /// Whether bytes or the end of the body wait to be read.
    var hasOutput: Bool {
        headIndex < chunks.count || finished
    }

    /// Marks the stream ended, drops what was queued and runs the close handler once.
    func markClosed() {
        loop?.assertInEventLoop()
        guard closed.compareExchange(
            expected: false, desired: true, ordering: .acquiringAndReleasing
        ).exchanged
        else { return }
        let dropped = chunks[headIndex...].reduce(0) { $0 + $1.count } - headOffset
        pendingBytes.wrappingSubtract(max(0, dropped), ordering: .relaxed)
        chunks.removeAll()
        queuedBytes = 0
        headIndex = 0
        headOffset = 0
        let handler = closeHandler
        closeHandler = nil
        writableHandler = nil
        sink = nil
        handler?()
    }
}
