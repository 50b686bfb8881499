import CNghttp2
import CSystem
import Glibc

/// One HTTP/2 connection from a client to a peer: connect, TLS, nghttp2 client session.
/// Loop thread only.
final class ClientConnection: EventLoopSelectable {
    enum State {
        case connecting
        case handshaking
        case ready
        case closed
    }

    let loop: EventLoop
    let configuration: HTTP2ClientConfiguration
    private let channel: SocketChannel
    private(set) var state = State.connecting
    private var session: OpaquePointer?
    var streams: [Int32: ClientStream] = [:]
    private var waiting: [ClientStream] = []
    private var output = OutputBuffer()
    private var pollingWrite = true
    private var flushScheduled = false
    private var connectTimer: UInt64?
    /// Bytes taken from nghttp2 before they are written; more waits inside nghttp2.
    private static let maxOutputBytes = 256 * 1024
    private let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024,
                                                                     alignment: 16)
    /// Tells the owner when the connection is ready (nil error) or has failed or closed.
    var onStateChange: ((ClientConnection, TransportError?) -> Void)?

    init(loop: EventLoop, configuration: HTTP2ClientConfiguration, context: TLSContext?)
        throws(TransportError)
    {
        self.loop = loop
        self.configuration = configuration
        guard let address = Socket.Address(parsing: configuration.address) else {
            throw .invalidAddress(configuration.address)
        }
        let fd = try Socket.connect(address)
        var tls: TLSSession?
        do {
            tls = try context.map { context throws(TransportError) in
                try TLSSession(
                    context: context, fd: fd, isServer: false,
                    serverName: configuration.tls?.serverName ?? address.host)
            }
        } catch {
            Glibc.close(fd)
            throw error
        }
        channel = SocketChannel(fd: fd, tls: tls)
        try loop.register(fd: fd, events: EPOLLIN.rawValue | EPOLLOUT.rawValue, handler: self)
        connectTimer = loop.scheduleTimer(after: configuration.connectTimeout) { [weak self] in
            guard let self, self.state == .connecting || self.state == .handshaking else { return }
            self.fail(.timeout)
        }
    }

    deinit {
        if let session {
            nghttp2_session_del(session)
        }
        readBuffer.deallocate()
    }

    /// Sends `stream`'s request now, or once the connection is ready.
    func submit(_ stream: ClientStream) {
        stream.connection = self
        guard state == .ready else {
            waiting.append(stream)
            return
        }
        var block = HTTPHeaders()
        block.reserve(fields: stream.request.headers.count + 5, bytes: 128)
        block.add(":method", stream.request.method.description)
        block.add(":path", stream.request.path)
        block.add(":scheme", channel.tls == nil ? "http" : "https")
        block.add(":authority", configuration.tls?.serverName ?? configuration.address)
        stream.request.headers.forEachRaw { block.add(name: $0, value: $1) }
        let hasBody = stream.hasBody
        if hasBody && stream.bodyStream == nil {
            block.add("content-length", String(stream.request.body.count))
        }
        let userData = Unmanaged.passUnretained(stream).toOpaque()
        let id = HeaderBlock.with(block) { nv, count -> Int32 in
            guard hasBody else {
                return nghttp2_submit_request(session, nil, nv, count, nil, userData)
            }
            var provider = nghttp2_data_provider(
                source: nghttp2_data_source(ptr: userData),
                read_callback: HTTP2ClientCallbacks.readRequestBody)
            return nghttp2_submit_request(session, nil, nv, count, &provider, userData)
        }
        guard id > 0 else {
            stream.finish(.failure(.http2("submit_request", code: id)))
            return
        }
        stream.id = id
        streams[id] = stream
        scheduleFlush()
    }

    /// More streamed body is queued for `stream` after nghttp2 had deferred it.
    func resumeBody(of stream: ClientStream) {
        guard state == .ready, streams[stream.id] === stream else { return }
        nghttp2_session_resume_data(session, stream.id)
        scheduleFlush()
    }

    func cancel(_ stream: ClientStream) {
        if let index = waiting.firstIndex(where: { $0 === stream }) {
            waiting.remove(at: index)
            return
        }
        guard state == .ready, stream.id > 0 else { return }
        nghttp2_submit_rst_stream(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), stream.id,
            UInt32(NGHTTP2_CANCEL.rawValue))
        scheduleFlush()
    }

    /// Whether new requests can go on this connection.
    var isUsable: Bool {
        switch state {
        case .connecting, .handshaking: return true
        case .ready:
            return session.map { nghttp2_session_check_request_allowed($0) != 0 } ?? false
        case .closed: return false
        }
    }

    /// Closes the connection; every open request ends with `error`.
    func fail(_ error: TransportError) {
        guard state != .closed else { return }
        state = .closed
        if let connectTimer {
            loop.cancelTimer(connectTimer)
        }
        loop.deregister(fd: channel.fd)
        channel.close()
        let open = Array(streams.values) + waiting
        streams.removeAll()
        waiting.removeAll()
        for stream in open {
            stream.finish(.failure(error))
        }
        onStateChange?(self, error)
        onStateChange = nil
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        switch state {
        case .connecting:
            let error = Socket.pendingError(channel.fd)
            guard error == 0 else {
                fail(error == ECONNREFUSED ? .connectionRefused
                     : .system("connect \(configuration.address)", errno: error))
                return
            }
            if events & EPOLLOUT.rawValue == 0 { return }
            state = .handshaking
            handshake()
        case .handshaking:
            handshake()
        case .ready:
            if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
                readAvailable()
            }
            if state == .ready && events & EPOLLOUT.rawValue != 0 {
                flush()
            }
        case .closed:
            break
        }
    }

    private func handshake() {
        if let tls = channel.tls {
            switch tls.handshake() {
            case .done:
                guard tls.negotiatedProtocol == "h2" else {
                    fail(.tls("the server did not agree to HTTP/2 (ALPN h2)"))
                    return
                }
            case .wantRead:
                setPollingWrite(false)
                return
            case .wantWrite:
                setPollingWrite(true)
                return
            case .closed:
                fail(.tls("connection closed during the handshake"))
                return
            case .failed(let message):
                fail(.tls(message))
                return
            }
        }
        do {
            try startSession()
        } catch {
            fail(error)
            return
        }
        state = .ready
        if let connectTimer {
            loop.cancelTimer(connectTimer)
            self.connectTimer = nil
        }
        onStateChange?(self, nil)
        let queued = waiting
        waiting.removeAll()
        for stream in queued {
            submit(stream)
        }
        setPollingWrite(false)
        flush()
    }

    private func startSession() throws(TransportError) {
        var created: OpaquePointer?
        try Nghttp2Error.check(
            nghttp2_session_client_new(
                &created, HTTP2ClientCallbacks.shared.pointer,
                Unmanaged.passUnretained(self).toOpaque()),
            "session_client_new")
        session = created
        try HTTP2Settings.submit(
            [(NGHTTP2_SETTINGS_ENABLE_PUSH, 0), (NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1 << 20)],
            connectionWindowBytes: 16 << 20, on: created!)
    }

    private func readAvailable() {
        for _ in 0..<8 {
            guard state == .ready else { return }
            let result = channel.read(into: readBuffer)
            switch result {
            case .bytes(let count):
                let result = nghttp2_session_mem_recv(
                    session, readBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count)
                if result < 0 {
                    fail(.http2("receive", code: Int32(result)))
                    return
                }
                scheduleFlush()
                if count < readBuffer.count && !channel.hasBufferedInput { return }
            case .wouldBlock:
                return
            case .closed, .failed:
                failAfterIO(result)
                return
            }
        }
    }

    /// Ends the connection after a read or write that found it closed or broken.
    private func failAfterIO(_ result: SocketChannel.IOResult) {
        if case .failed(let message) = result {
            fail(.protocolViolation(message))
        } else {
            fail(.connectionClosed)
        }
    }

    func scheduleFlush() {
        guard !flushScheduled, state == .ready else { return }
        flushScheduled = true
        loop.runAtEndOfIteration { [self] in
            flushScheduled = false
            flush()
        }
    }

    private func flush() {
        guard state == .ready, let session else { return }
        while true {
            if output.isEmpty {
                if let code = BodySource.drainOutput(
                    of: session, into: &output, limit: Self.maxOutputBytes)
                {
                    fail(.http2("send", code: code))
                    return
                }
                if output.isEmpty { break }
            }
            let result = output.withReadableBytes { channel.write($0) }
            switch result {
            case .bytes(let count):
                output.consume(count)
            case .wouldBlock:
                setPollingWrite(true)
                return
            case .closed, .failed:
                failAfterIO(result)
                return
            }
        }
        setPollingWrite(false)
        if nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0 {
            fail(.connectionClosed)
        }
    }

    private func setPollingWrite(_ wanted: Bool) {
        guard wanted != pollingWrite, state != .closed else { return }
        pollingWrite = wanted
        loop.modify(fd: channel.fd, events: EPOLLIN.rawValue | (wanted ? EPOLLOUT.rawValue : 0))
    }

    /// A stream closed inside nghttp2 (called from its callback).
    func streamClosed(_ streamID: Int32, errorCode: UInt32) {
        guard let stream = streams.removeValue(forKey: streamID) else { return }
        if let timer = stream.timer {
            loop.cancelTimer(timer)
        }
        if errorCode == UInt32(NGHTTP2_NO_ERROR.rawValue) && stream.status != 0 {
            stream.finish(.success(stream.trailers))
        } else {
            stream.finish(.failure(.streamReset(errorCode == 0 ? 1 : errorCode)))
        }
    }
}
