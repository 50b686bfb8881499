import Glibc

/// An HTTP/2 client for one peer: one multiplexed connection, reused by every request,
/// reconnected on demand with capped exponential backoff and jitter.
///
/// Every method may be called from any thread; handlers run on the client's event loop. While
/// the client waits out a backoff after a failed connect, requests fail at once with
/// `.backingOff` (retryable) instead of piling up.
public final class HTTP2Client: Sendable {
    public let configuration: HTTP2ClientConfiguration
    public let loop: EventLoop
    private let state: UncheckedBox<ClientState>

    /// A client on `loop`. Throws a TLS error when the CA file or client certificate cannot
    /// be used.
    public init(configuration: HTTP2ClientConfiguration, loop: EventLoop) throws(TransportError) {
        self.configuration = configuration
        self.loop = loop
        let context = try configuration.tls.map { tls throws(TransportError) in
            try TLSContext.client(tls)
        }
        state = UncheckedBox(ClientState(configuration: configuration, context: context))
    }

    /// Sends `request` and reports its response as it streams in. Returns a handle to cancel.
    @discardableResult
    public func execute(
        _ request: HTTPClientRequest, handlers: HTTPClientStreamHandlers
    ) -> HTTPClientStreamHandle {
        let stream = UncheckedBox(ClientStream(request: request, handlers: handlers))
        let handle = HTTPClientStreamHandle(loop: loop, stream: stream.value)
        let state = self.state
        let loop = self.loop
        loop.executeOrRun {
            state.value.submit(stream.value, on: loop)
        }
        return handle
    }

    /// Sends `request` with a body written piece by piece to the returned stream (its
    /// `body` field is ignored), and reports the response as it streams in. The stream's
    /// `write` returns false past `highWaterBytes` unsent; `finish` ends the body.
    public func executeStreaming(
        _ request: HTTPClientRequest, handlers: HTTPClientStreamHandlers,
        highWaterBytes: Int = 256 * 1024
    ) -> (HTTPClientStreamHandle, BodyStream) {
        let stream = ClientStream(request: request, handlers: handlers)
        let body = BodyStream(
            loop: loop, sink: stream, streamID: 0, highWaterBytes: highWaterBytes)
        stream.bodyStream = body
        let box = UncheckedBox(stream)
        let handle = HTTPClientStreamHandle(loop: loop, stream: stream)
        let state = self.state
        let loop = self.loop
        loop.executeOrRun {
            state.value.submit(box.value, on: loop)
        }
        return (handle, body)
    }

    /// Sends `request` and collects the whole response. Throws the transport error that cut it
    /// short; an HTTP error status is a response, not an error.
    public func execute(_ request: HTTPClientRequest) async throws(TransportError)
        -> HTTPClientResponse
    {
        let limit = configuration.maxResponseBodyBytes
        let result = await withCheckedContinuation { continuation in
            let collected = UncheckedBox((status: 0, headers: HTTPHeaders(), body: [UInt8]()))
            var handle: HTTPClientStreamHandle?
            let handleBox = UncheckedBox(handle)
            handle = execute(request, handlers: HTTPClientStreamHandlers(
                onHead: { status, headers in
                    collected.value.status = status
                    collected.value.headers = headers
                },
                onData: { bytes in
                    collected.value.body.append(contentsOf: bytes)
                    if collected.value.body.count > limit {
                        handleBox.value?.cancel()
                    }
                },
                onEnd: { result in
                    switch result {
                    case .success:
                        continuation.resume(returning: Result<HTTPClientResponse, TransportError>
                            .success(HTTPClientResponse(
                                status: collected.value.status, headers: collected.value.headers,
                                body: collected.value.body)))
                    case .failure(let error):
                        let reported = collected.value.body.count > limit ? .bodyTooLarge : error
                        continuation.resume(returning: .failure(reported))
                    }
                }))
            handleBox.value = handle
        }
        return try result.get()
    }

    /// Closes the connection; requests in flight end with `.shutdown`.
    public func close() {
        let state = self.state
        loop.executeOrRun {
            state.value.close()
        }
    }
}

/// The client's connection and reconnect state. Loop thread only.
final class ClientState {
    let configuration: HTTP2ClientConfiguration
    let context: TLSContext?
    var connection: ClientConnection?
    var backoff: Backoff
    var nextAttemptAt: UInt64 = 0
    var connectedAt: UInt64 = 0
    var closed = false

    init(configuration: HTTP2ClientConfiguration, context: TLSContext?) {
        self.configuration = configuration
        self.context = context
        backoff = configuration.backoff
    }

    func submit(_ stream: ClientStream, on loop: EventLoop) {
        guard !closed else {
            stream.finish(.failure(.shutdown))
            return
        }
        if let connection, connection.isUsable {
            arm(stream, on: loop)
            connection.submit(stream)
            return
        }
        let now = MonotonicClock.now()
        guard now >= nextAttemptAt else {
            stream.finish(.failure(.backingOff))
            return
        }
        do {
            let connection = try ClientConnection(
                loop: loop, configuration: configuration, context: context)
            connection.onStateChange = { [weak self] connection, error in
                self?.connectionChanged(connection, error: error)
            }
            self.connection = connection
            arm(stream, on: loop)
            connection.submit(stream)
        } catch {
            recordFailure()
            stream.finish(.failure(error))
        }
    }

    func close() {
        closed = true
        connection?.fail(.shutdown)
        connection = nil
    }

    private func arm(_ stream: ClientStream, on loop: EventLoop) {
        guard let timeout = stream.request.timeout else { return }
        stream.timer = loop.scheduleTimer(after: timeout) { [weak stream] in
            guard let stream, !stream.ended else { return }
            stream.connection?.cancel(stream)
            stream.finish(.failure(.timeout))
        }
    }

    private func connectionChanged(_ changed: ClientConnection, error: TransportError?) {
        guard changed === connection else { return }
        guard let error else {
            connectedAt = MonotonicClock.now()
            return
        }
        connection = nil
        // A connection that failed before it was ready, or died young, backs off; one that
        // served for a while reconnects at once on the next request.
        if connectedAt == 0 || MonotonicClock.now() &- connectedAt < 1_000_000_000 {
            recordFailure()
        } else {
            backoff.reset()
        }
        connectedAt = 0
        _ = error
    }

    private func recordFailure() {
        nextAttemptAt = MonotonicClock.now() + backoff.nextDelay().nanoseconds
    }
}
