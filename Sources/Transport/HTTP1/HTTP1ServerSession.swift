import Telemetry

/// The server side of one HTTP/1.1 connection: one request at a time, keep-alive, bodies by
/// Content-Length, streaming responses by chunked encoding (to HTTP/1.0 clients, unchunked
/// until the connection closes). Loop thread only.
///
/// It exists for probes, scrapers and plain curl; HTTP/2 is the protocol of the network.
final class HTTP1ServerSession: ServerSession, ResponseSink {
    private enum State {
        case readingHead
        case readingBody(HTTP1RequestHead, remaining: Int)
        /// A handler has the request; bytes that arrive meanwhile wait in `input`.
        case awaitingResponse(keepAlive: Bool)
        case streaming(BodyStream, chunked: Bool, keepAlive: Bool)
        case closing
    }

    private static let streamID: Int32 = 1

    let loop: EventLoop
    let context: ServerContext
    /// Strong, and cleared in `connectionClosed`: a weak reference would give the connection
    /// a side table and slow down every retain of it.
    var owner: ServerSessionOwner?

    private var state = State.readingHead
    /// Bytes received and not yet parsed start at `inputStart`.
    private var input: [UInt8] = []
    private var inputStart = 0
    private var processing = false
    private var needsProcessing = false
    private var body: [UInt8] = []
    private var outbox: [UInt8] = []
    private var isHeadRequest = false
    private var requestMinorVersion = 1
    private var headStartedAt: UInt64
    private var dispatchedAt: UInt64 = 0
    private var shuttingDown = false
    private var handlerInFlight = false
    private(set) var prefaceReceived = false

    init(loop: EventLoop, context: ServerContext, owner: ServerSessionOwner) {
        self.loop = loop
        self.context = context
        self.owner = owner
        headStartedAt = MonotonicClock.now()
    }

    // MARK: ServerSession

    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if case .closing = state { return true }
        if case .readingHead = state, unparsedCount == 0 {
            // The header timeout runs from the first byte of each request head.
            headStartedAt = MonotonicClock.now()
        }
        input.append(contentsOf: bytes)
        // What a pipelining client may queue while a handler works is bounded by one request.
        let limit = context.limits.maxHeaderListBytes + context.limits.maxRequestBodyBytes
        if input.count - inputStart > limit {
            switch state {
            case .awaitingResponse, .streaming:
                context.metrics.protocolErrors.increment()
                return false
            default:
                break
            }
        }
        process()
        return true
    }

    func produceOutput(into buffer: inout OutputBuffer, limit: Int) {
        if !outbox.isEmpty {
            buffer.append(outbox)
            outbox.removeAll(keepingCapacity: true)
        }
        guard case .streaming(let stream, let chunked, let keepAlive) = state,
            stream.hasOutput
        else { return }
        // The stream's bytes go straight into the output, one chunk per flush.
        let count = min(stream.readableBytes, max(0, limit - buffer.count))
        if count > 0 && chunked {
            buffer.append(String(count, radix: 16) + "\r\n")
        }
        let (_, ended) = stream.read(upTo: count, into: &buffer)
        if count > 0 && chunked {
            buffer.append("\r\n")
        }
        if ended {
            if chunked {
                buffer.append("0\r\n\r\n")
            }
            stream.markClosed()
            handlerInFlight = false
            finishExchange(keepAlive: keepAlive && chunked)
        }
    }

    var wantsClose: Bool {
        if case .closing = state { return outbox.isEmpty }
        return false
    }

    var isIdle: Bool {
        if case .readingHead = state { return unparsedCount == 0 && !handlerInFlight }
        return false
    }

    var hasBlockedOutput: Bool {
        false
    }

    func expireSlowHeaders(now: UInt64) {
        switch state {
        case .readingHead where unparsedCount > 0, .readingBody:
            guard now &- headStartedAt > context.limits.headerTimeout.nanoseconds else { return }
            context.metrics.timeouts.increment()
            reject(408, "Request timeout")
        default:
            break
        }
    }

    func beginShutdown() {
        shuttingDown = true
        if isIdle {
            state = .closing
            owner?.sessionHasOutput()
        }
    }

    func connectionClosed() {
        owner = nil
        if case .streaming(let stream, _, _) = state {
            stream.markClosed()
        }
        state = .closing
    }

    // MARK: ResponseSink

    func sendResponse(_ response: HTTPResponse, streamID: Int32) {
        handlerInFlight = false
        guard case .awaitingResponse(let keepAlive) = state else { return }
        context.metrics.requestLatency.observe(nanoseconds: MonotonicClock.now() &- dispatchedAt)
        writeHead(status: response.status, headers: response.headers,
                  contentLength: response.body.count, keepAlive: keepAlive)
        if !isHeadRequest {
            outbox.append(contentsOf: response.body)
        }
        finishExchange(keepAlive: keepAlive)
    }

    func startStreaming(
        status: Int, headers: HTTPHeaders, stream: BodyStream, streamID: Int32
    ) {
        guard case .awaitingResponse(let keepAlive) = state else {
            handlerInFlight = false
            stream.markClosed()
            return
        }
        // HTTP/1.0 has no chunked encoding: the body then ends when the connection closes.
        let chunked = requestMinorVersion == 1
        writeHead(status: status, headers: headers, contentLength: nil,
                  keepAlive: keepAlive && chunked)
        state = .streaming(stream, chunked: chunked, keepAlive: keepAlive && chunked)
        owner?.sessionHasOutput()
    }

    func streamHasOutput(streamID: Int32) {
        owner?.sessionHasOutput()
    }

    // MARK: Parsing

    private var unparsedCount: Int {
        input.count - inputStart
    }

    /// Parses and dispatches what `input` holds. Iterative, and never re-entered: a handler
    /// that answers at once asks for another pass instead of recursing, so a pipelined flood
    /// cannot grow the stack.
    private func process() {
        if processing {
            needsProcessing = true
            return
        }
        processing = true
        defer { processing = false }
        repeat {
            needsProcessing = false
            processOnce()
        } while needsProcessing
        compactInput()
    }

    private func processOnce() {
        while true {
            switch state {
            case .readingHead:
                guard parseHead() else { return }
            case .readingBody(let head, let remaining):
                let take = min(remaining, unparsedCount)
                body.append(contentsOf: input[inputStart..<inputStart + take])
                inputStart += take
                if take == remaining {
                    dispatch(head)
                } else {
                    state = .readingBody(head, remaining: remaining - take)
                    return
                }
            default:
                return
            }
        }
    }

    private func compactInput() {
        if inputStart == input.count {
            input.removeAll(keepingCapacity: input.capacity <= 64 * 1024)
            inputStart = 0
        } else if inputStart > 16 * 1024 {
            input.removeFirst(inputStart)
            inputStart = 0
        }
    }

    /// Parses a head from `input` when one is complete. Returns whether to keep going.
    private func parseHead() -> Bool {
        if unparsedCount == 0 { return false }
        prefaceReceived = true
        guard let end = Self.endOfHead(in: input, from: inputStart) else {
            if unparsedCount > context.limits.maxHeaderListBytes {
                reject(431, "Request header fields too large")
            }
            return false
        }
        guard end - inputStart <= context.limits.maxHeaderListBytes else {
            reject(431, "Request header fields too large")
            return false
        }
        let head: HTTP1RequestHead
        do {
            head = try HTTP1RequestHead.parse(input[inputStart..<end])
        } catch {
            guard case .malformed(let reason) = error else { return false }
            context.metrics.protocolErrors.increment()
            reject(400, "Bad request", detail: reason)
            return false
        }
        inputStart = end + 4

        if head.headers["transfer-encoding"] != nil {
            reject(501, "Transfer-Encoding is not supported; send Content-Length")
            return false
        }
        let lengthText = head.headers["content-length"] ?? "0"
        guard let length = Int(lengthText), length >= 0 else {
            reject(400, "Bad request", detail: "bad Content-Length")
            return false
        }
        guard length <= context.limits.maxRequestBodyBytes else {
            reject(413, "Content too large")
            return false
        }
        body = []
        body.reserveCapacity(length)
        state = .readingBody(head, remaining: length)
        return true
    }

    private func dispatch(_ head: HTTP1RequestHead) {
        let keepAlive = head.keepAlive && !shuttingDown
        state = .awaitingResponse(keepAlive: keepAlive)
        isHeadRequest = head.method == "HEAD"
        requestMinorVersion = head.minorVersion
        dispatchedAt = MonotonicClock.now()
        handlerInFlight = true
        context.metrics.requests.increment()
        let request = HTTPRequest(
            method: HTTPMethod(head.method), target: head.target, headers: head.headers,
            body: body, protocolName: "http/1.1")
        body = []
        let responder = Responder(loop: loop, sink: self, streamID: Self.streamID)
        context.router.handle(request, responder)
    }

    /// Answers with an error and closes after it: the rest of the input cannot be trusted.
    private func reject(_ status: Int, _ title: String, detail: String? = nil) {
        if status != 400 {
            context.metrics.streamsRefused.increment()
        }
        let response = HTTPResponse.problem(status: status, title: title, detail: detail)
        writeHead(status: status, headers: response.headers, contentLength: response.body.count,
                  keepAlive: false)
        outbox.append(contentsOf: response.body)
        input = []
        inputStart = 0
        state = .closing
        owner?.sessionHasOutput()
    }

    private func writeHead(
        status: Int, headers: HTTPHeaders, contentLength: Int?, keepAlive: Bool
    ) {
        var head = "HTTP/1.1 \(status) \(HTTPStatusText.reason(status))\r\n"
        for field in headers where !HeaderBlock.equalsContentLength(field.name)
            && !HTTPHeaders.equalNames(field.name, "connection")
        {
            head += "\(field.name): \(field.value)\r\n"
        }
        if let contentLength {
            head += "content-length: \(contentLength)\r\n"
        } else if requestMinorVersion == 1 {
            head += "transfer-encoding: chunked\r\n"
        }
        if !keepAlive {
            head += "connection: close\r\n"
        }
        head += "\r\n"
        outbox.append(contentsOf: head.utf8)
    }

    private func finishExchange(keepAlive: Bool) {
        if keepAlive && !shuttingDown {
            state = .readingHead
            headStartedAt = MonotonicClock.now()
            process()
        } else {
            state = .closing
        }
        owner?.sessionHasOutput()
    }

    /// The index of the `\r\n\r\n` that ends a head starting at `start`, or nil.
    static func endOfHead(in bytes: [UInt8], from start: Int = 0) -> Int? {
        guard bytes.count - start >= 4 else { return nil }
        for index in start...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13
            && bytes[index + 3] == 10
        {
            return index
        }
        return nil
    }
}
