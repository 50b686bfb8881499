import CNghttp2
import Telemetry

/// The server side of one HTTP/2 connection, over nghttp2. Loop thread only.
///
/// nghttp2 does the framing, HPACK and flow control; this type turns its callbacks into
/// requests for the router, feeds responses back as data providers, and adds the guards
/// nghttp2 leaves to its user: header list size, body size, handlers in flight, and timeouts.
final class HTTP2ServerSession: ServerSession, ResponseSink {
    let loop: EventLoop
    let context: ServerContext
    /// Taken from `context` once: the request path reaches them without a chain of loads.
    private let requestLatency: Histogram
    private let requestCount: Counter
    private let router: Router
    private(set) var session: OpaquePointer!
    /// Strong, and cleared in `connectionClosed`: a weak reference would give the connection
    /// a side table and slow down every retain of it.
    var owner: ServerSessionOwner?

    var streams = OpenStreams()
    /// Handlers given a request that have not answered yet (their stream may be gone).
    var handlersInFlight = 0
    /// Request body bytes held by streams not yet dispatched.
    var bufferedRequestBytes = 0
    var prefaceReceived = false
    private var shuttingDown = false
    private var failed = false
    /// Set when the session itself ends the connection for a timeout (counted there).
    private var timedOut = false
    private var protocolErrorCounted = false
    /// Set once the connection has closed: the streams' objects are gone, so nghttp2's
    /// pointers to them must not be followed any more.
    private var connectionGone = false

    init(loop: EventLoop, context: ServerContext, owner: ServerSessionOwner)
        throws(TransportError)
    {
        self.loop = loop
        self.context = context
        self.owner = owner
        requestLatency = context.metrics.requestLatency
        requestCount = context.metrics.requests
        router = context.router

        var option: OpaquePointer?
        try Nghttp2Error.check(nghttp2_option_new(&option), "option_new")
        defer { nghttp2_option_del(option) }
        let limits = context.limits
        nghttp2_option_set_stream_reset_rate_limit(
            option, UInt64(limits.resetBurst), UInt64(limits.resetRatePerSecond))
        nghttp2_option_set_max_continuations(option, limits.maxContinuations)
        nghttp2_option_set_max_settings(option, limits.maxSettingsEntries)
        nghttp2_option_set_max_outbound_ack(option, limits.maxOutboundAcks)

        var created: OpaquePointer?
        let userData = Unmanaged.passUnretained(self).toOpaque()
        try Nghttp2Error.check(
            nghttp2_session_server_new2(
                &created, HTTP2ServerCallbacks.shared.pointer, userData, option),
            "session_server_new")
        session = created
        try submitSettings()
    }

    deinit {
        nghttp2_session_del(session)
    }

    // MARK: ServerSession

    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let result = nghttp2_session_mem_recv(
            session, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count)
        if result < 0 {
            countProtocolError()
            context.logger.debug(
                "http2.session.error", ["error": .string(Nghttp2Error.describe(Int32(result)))])
            failed = true
            return false
        }
        owner?.sessionHasOutput()
        return true
    }

    func produceOutput(into buffer: inout OutputBuffer, limit: Int) {
        if let code = BodySource.drainOutput(of: session, into: &buffer, limit: limit) {
            context.logger.debug(
                "http2.send.error", ["error": .string(Nghttp2Error.describe(code))])
            failed = true
        }
    }

    var wantsClose: Bool {
        if failed { return true }
        if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
            return true
        }
        return shuttingDown && streams.isEmpty && nghttp2_session_want_write(session) == 0
    }

    var isIdle: Bool {
        streams.isEmpty && handlersInFlight == 0
    }

    var hasBlockedOutput: Bool {
        streams.contains { $0.hasUnsentBody && !$0.deferred }
    }

    func expireSlowHeaders(now: UInt64) {
        let limit = context.limits.headerTimeout.nanoseconds
        var expired = false
        streams.forEach { stream in
            // A streaming route's body is its handler's to pace: the feed's acknowledgements,
            // say, may pause for as long as nothing changes.
            guard !stream.requestEnded, stream.bodyStream == nil || !stream.headersComplete,
                now &- stream.lastRequestActivity > limit
            else { return }
            expired = true
            context.metrics.timeouts.increment()
            if !stream.headersComplete {
                // nghttp2 is inside a header block and accepts nothing else on the
                // connection until it ends, so the whole connection goes.
                timedOut = true
                nghttp2_session_terminate_session(
                    session, UInt32(NGHTTP2_ENHANCE_YOUR_CALM.rawValue))
            } else {
                nghttp2_submit_rst_stream(
                    session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id,
                    UInt32(NGHTTP2_CANCEL.rawValue))
            }
        }
        if expired {
            owner?.sessionHasOutput()
        }
    }

    func beginShutdown() {
        guard !shuttingDown else { return }
        shuttingDown = true
        nghttp2_submit_goaway(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue),
            nghttp2_session_get_last_proc_stream_id(session), UInt32(NGHTTP2_NO_ERROR.rawValue),
            nil, 0)
        owner?.sessionHasOutput()
    }

    func connectionClosed() {
        owner = nil
        connectionGone = true
        let open = streams.all
        streams.removeAll()
        for stream in open {
            stream.bodyStream?.finish(.connectionClosed)
            if let response = stream.streamingResponse {
                handlersInFlight -= 1
                response.markClosed()
            }
        }
    }

    // MARK: ResponseSink

    func sendResponse(_ response: HTTPResponse, streamID: Int32) {
        handlersInFlight -= 1
        guard let stream = openStream(streamID) else { return }
        requestLatency.observe(
            nanoseconds: MonotonicClock.now() &- stream.dispatchedAt)
        let withBody = !response.body.isEmpty && stream.method != .head
        if withBody {
            stream.responseBody = response.body
        }
        submit(status: response.status, headers: response.headers,
               contentLength: response.body.count, stream: stream, provider: withBody)
    }

    func startStreaming(
        status: Int, headers: HTTPHeaders, stream response: BodyStream, streamID: Int32
    ) {
        guard let stream = openStream(streamID) else {
            handlersInFlight -= 1
            response.markClosed()
            return
        }
        stream.streamingResponse = response
        submit(status: status, headers: headers, contentLength: nil, stream: stream,
               provider: true)
    }

    func streamHasOutput(streamID: Int32) {
        guard let stream = openStream(streamID), stream.deferred else { return }
        stream.deferred = false
        nghttp2_session_resume_data(session, streamID)
        owner?.sessionHasOutput()
    }

    // MARK: Requests (called from the callbacks)

    /// nghttp2 (or the session) sent GOAWAY: anything but NO_ERROR ends the connection for a
    /// protocol error, which is counted once per connection.
    func goAwaySent(code: UInt32) {
        guard code != UInt32(NGHTTP2_NO_ERROR.rawValue), !timedOut else { return }
        countProtocolError()
    }

    private func countProtocolError() {
        guard !protocolErrorCounted else { return }
        protocolErrorCounted = true
        context.metrics.protocolErrors.increment()
    }

    /// A new request stream: refused when the handlers in flight are at the cap.
    func beginRequest(streamID: Int32) {
        if handlersInFlight >= context.limits.maxConcurrentStreams || shuttingDown {
            nghttp2_submit_rst_stream(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID,
                UInt32(NGHTTP2_REFUSED_STREAM.rawValue))
            return
        }
        let stream = streams.open(id: streamID, now: loop.iterationTime)
        nghttp2_session_set_stream_user_data(
            session, streamID, Unmanaged.passUnretained(stream).toOpaque())
    }

    /// The request has ended (or was refused early): route it, or answer the refusal.
    func dispatch(_ stream: ServerStream) {
        stream.dispatchedAt = MonotonicClock.now()
        handlersInFlight += 1
        let responder = responder(for: stream)
        if let status = stream.rejectedStatus {
            context.metrics.streamsRefused.increment()
            stream.resetAfterResponse = !stream.requestEnded
            responder.respond(.problem(
                status: status,
                title: status == 431 ? "Request header fields too large" : "Content too large"))
            return
        }
        requestCount.increment()
        bufferedRequestBytes -= stream.body.count
        let request = HTTPRequest(
            method: stream.method, target: stream.target, headers: stream.headers,
            body: stream.body, protocolName: "h2")
        stream.body = []
        // Moved out of the stream, not copied: a copy retains the parameter names.
        var stored: Router.Match?
        swap(&stored, &stream.match)
        let match = stored ?? request.withPathBytes {
            router.match(method: request.method, path: $0)
        }
        router.run(match, request, body: stream.bodyStream, responder)
    }

    /// The request's headers are all in: route it, and start a streaming route at once.
    func headersComplete(_ stream: ServerStream) {
        guard stream.rejectedStatus == nil, !stream.refused else { return }
        if stream.target.isEmpty {
            stream.target.append(UInt8(ascii: "/"))
        }
        let match = stream.target.withUnsafeBufferPointer { target in
            router.match(
                method: stream.method,
                path: UnsafeBufferPointer(rebasing: target[..<HTTPRequest.pathEnd(of: target)]))
        }
        let streaming = router.isStreaming(match)
        stream.match = match
        if streaming {
            stream.bodyStream = RequestBodyStream(loop: loop)
            dispatch(stream)
        }
    }

    /// A chunk of body for a streaming route; the stream is reset when its handler has let
    /// more than the body limit pile up unread.
    func deliverBody(_ bytes: UnsafeBufferPointer<UInt8>, to stream: ServerStream) {
        guard let body = stream.bodyStream else { return }
        body.deliver(Array(bytes))
        if body.bufferedBytes > context.limits.maxRequestBodyBytes {
            body.finish(.bodyTooLarge)
            nghttp2_submit_rst_stream(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id,
                UInt32(NGHTTP2_CANCEL.rawValue))
        }
    }

    /// Takes `bytes` of request body for `stream`, or refuses the stream when the connection
    /// already holds its limit of buffered request bodies.
    func appendBody(_ bytes: UnsafeBufferPointer<UInt8>, to stream: ServerStream) {
        guard bufferedRequestBytes + bytes.count <= context.limits.maxBufferedRequestBytes else {
            stream.refused = true
            bufferedRequestBytes -= stream.body.count
            stream.body = []
            nghttp2_submit_rst_stream(
                session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id,
                UInt32(NGHTTP2_REFUSED_STREAM.rawValue))
            return
        }
        bufferedRequestBytes += bytes.count
        stream.body.append(contentsOf: bytes)
    }

    func streamClosed(_ streamID: Int32, errorCode: UInt32) {
        guard let stream = openStream(streamID) else { return }
        nghttp2_session_set_stream_user_data(session, streamID, nil)
        bufferedRequestBytes -= stream.body.count
        stream.bodyStream?.finish(.streamReset(errorCode == 0 ? 8 : errorCode))
        if let response = stream.streamingResponse {
            handlersInFlight -= 1
            response.markClosed()
        }
        streams.close(stream)
    }

    // MARK: Private

    /// The stream's responder from its last request when nothing else holds it, else a new
    /// one, kept on the stream for next time.
    private func responder(for stream: ServerStream) -> Responder {
        if isKnownUniquelyReferenced(&stream.responder), let kept = stream.responder {
            kept.reuse(streamID: stream.id)
            return kept
        }
        let made = Responder(loop: loop, sink: self, streamID: stream.id)
        stream.responder = made
        return made
    }

    /// The stream `streamID` while it is open, found through nghttp2's own stream map (the
    /// pointer is owned by `streams` and cleared in `streamClosed`).
    private func openStream(_ streamID: Int32) -> ServerStream? {
        guard !connectionGone,
            let raw = nghttp2_session_get_stream_user_data(session, streamID)
        else { return nil }
        return Unmanaged<ServerStream>.fromOpaque(raw).takeUnretainedValue()
    }

    private func submitSettings() throws(TransportError) {
        let limits = context.limits
        try HTTP2Settings.submit(
            [
                (NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, UInt32(limits.maxConcurrentStreams)),
                (NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, UInt32(limits.maxHeaderListBytes)),
                (NGHTTP2_SETTINGS_ENABLE_PUSH, 0),
                (NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1),
                (NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, UInt32(limits.initialWindowBytes)),
            ],
            connectionWindowBytes: limits.connectionWindowBytes, on: session)
    }

    private func submit(
        status: Int, headers: HTTPHeaders, contentLength: Int?, stream: ServerStream,
        provider: Bool
    ) {
        let result = HeaderBlock.withResponse(
            status: status, headers: headers, contentLength: contentLength
        ) { nv, count -> Int32 in
            guard provider else {
                return nghttp2_submit_response(session, stream.id, nv, count, nil)
            }
            var data = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: Unmanaged.passUnretained(stream).toOpaque()),
                read_callback: HTTP2ServerCallbacks.readResponseBody)
            return nghttp2_submit_response(session, stream.id, nv, count, &data)
        }
        if result < 0 {
            context.logger.debug(
                "http2.response.error", ["error": .string(Nghttp2Error.describe(result))])
        }
        owner?.sessionHasOutput()
    }
}
