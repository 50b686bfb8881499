import CNghttp2

/// One request in flight on a client connection. Loop thread only.
final class ClientStream {
    let request: HTTPClientRequest
    let handlers: HTTPClientStreamHandlers
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

    /// Reports the end once; later calls do nothing.
    func finish(_ result: Result<HTTPHeaders, TransportError>) {
        guard !ended else { return }
        ended = true
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
