import CNghttp2

/// One request in flight on a client connection. Loop thread only.
final class ClientStream: BodyStreamSink {
    let request: HTTPClientRequest
    let handlers: HTTPClientStreamHandlers
    /// Set for a request whose body is streamed: the producer writes here.
    var bodyStream: BodyStream?
    /// nghttp2 asked for body bytes while none were queued; resumed on the next write.
    var deferred = false
    var id: Int32 = -1
    var bodyOffset = 0
    var status = 0
    var headers = HTTPHeaders()
    var trailers = HTTPHeaders()
    var headReported = false
    var ended = false
    var timer: UInt64?
    weak var connection: ClientConnection?

    init(request: HTTPClientRequest, handlers: HTTPClientStreamHandlers) {
        self.request = request
        self.handlers = handlers
    }

    /// Whether the request carries a body (whole or streamed).
    var hasBody: Bool {
        bodyStream != nil || !request.body.isEmpty
    }

    func streamHasOutput(streamID: Int32) {
        guard deferred, id > 0 else { return }
        deferred = false
        connection?.resumeBody(of: self)
    }

    /// Reports the end once; later calls do nothing.
    func finish(_ result: Result<HTTPHeaders, TransportError>) {
        guard !ended else { return }
        ended = true
        bodyStream?.markClosed()
        if case .success = result, !headReported {
            headReported = true
            handlers.onHead(status, headers)
        }
        handlers.onEnd(result)
    }
}

/// A handle on a streamed request, to cancel it. Any thread.
public final class HTTPClientStreamHandle: Sendable {
    private let loop: EventLoop
    private let stream: Weak<ClientStream>

    init(loop: EventLoop, stream: ClientStream) {
        self.loop = loop
        self.stream = Weak(stream)
    }

    /// Resets the stream (CANCEL) and reports `.streamReset(8)` as its end, unless it has
    /// ended already.
    public func cancel() {
        let stream = self.stream
        loop.executeOrRun {
            guard let target = stream.object, !target.ended else { return }
            target.connection?.cancel(target)
            target.finish(.failure(.streamReset(UInt32(NGHTTP2_CANCEL.rawValue))))
        }
    }
}
