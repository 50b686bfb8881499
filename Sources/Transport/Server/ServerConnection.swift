import CSystem
import Glibc
import Telemetry

/// One accepted socket: TLS if its listener has it, then HTTP/2 or HTTP/1.1 as the client
/// chose, with the connection-level timeouts. Loop thread only.
final class ServerConnection: EventLoopSelectable, ServerSessionOwner {
    private enum Phase {
        case handshaking
        case detecting
        case active
    }

    /// The HTTP/2 client preface; a plaintext connection that starts with it speaks h2c.
    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let owner: LoopConnections
    private let channel: SocketChannel
    private var context: ServerContext { owner.context }
    private var loop: EventLoop { owner.loop }
    private var phase: Phase
    private var session: ServerSession?
    private var detected: [UInt8] = []
    private var output = OutputBuffer()
    private var pollingWrite = false
    private var flushScheduled = false
    private var closed = false
    private var peerClosed = false

    private let acceptedAt: UInt64
    private var lastActivity: UInt64
    private var lastWriteProgress: UInt64
    private var blockedSince: UInt64?

    init(fd: Int32, tls: TLSContext?, owner: LoopConnections) throws(TransportError) {
        self.owner = owner
        let session = try tls.map { context throws(TransportError) in
            try TLSSession(context: context, fd: fd, isServer: true)
        }
        channel = SocketChannel(fd: fd, tls: session)
        phase = tls == nil ? .detecting : .handshaking
        acceptedAt = MonotonicClock.now()
        lastActivity = acceptedAt
        lastWriteProgress = acceptedAt
        Socket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        try owner.loop.register(fd: fd, events: EPOLLIN.rawValue, handler: self)
        owner.add(self)
        if tls != nil {
            advanceHandshake()
        }
    }

    // MARK: Events

    func handleEvents(_ events: UInt32) {
        if events & (EPOLLIN.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0 {
            switch phase {
            case .handshaking: advanceHandshake()
            case .detecting, .active: readAvailable()
            }
        }
        if !closed && events & EPOLLOUT.rawValue != 0 {
            if case .handshaking = phase {
                advanceHandshake()
            } else {
                flush()
            }
        }
    }

    func sessionHasOutput() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        loop.runAtEndOfIteration { [self] in
            flushScheduled = false
            flush()
        }
    }

    func beginShutdown() {
        guard let session else {
            close(reason: "shutdown")
            return
        }
        session.beginShutdown()
        sessionHasOutput()
    }

    /// Enforces the preface, idle and write timeouts. Called by the loop's sweep.
    func checkTimeouts(now: UInt64) {
        let limits = context.limits
        guard let session else {
            if now &- acceptedAt > limits.prefaceTimeout.nanoseconds {
                timeOut("preface")
            }
            return
        }
        if !session.prefaceReceived && now &- acceptedAt > limits.prefaceTimeout.nanoseconds {
            timeOut("preface")
            return
        }
        let blocked = !output.isEmpty || session.hasBlockedOutput
        if blocked {
            let since = max(blockedSince ?? now, lastWriteProgress)
            blockedSince = blockedSince ?? now
            if now &- since > limits.writeTimeout.nanoseconds {
                timeOut("write")
                return
            }
        } else {
            blockedSince = nil
        }
        if session.isIdle && now &- lastActivity > limits.idleTimeout.nanoseconds {
            timeOut("idle")
            return
        }
        session.expireSlowHeaders(now: now)
    }

    func close(reason: String) {
        guard !closed else { return }
        closed = true
        context.logger.trace("connection.closed", ["reason": .string(reason)])
        loop.deregister(fd: channel.fd)
        channel.close()
        session?.connectionClosed()
        session = nil
        owner.remove(self)
    }

    // MARK: Reading

    private func advanceHandshake() {
        guard let tls = channel.tls else { return }
        switch tls.handshake() {
        case .done:
            lastActivity = loop.iterationTime
            let useHTTP2 = tls.negotiatedProtocol == "h2"
            guard start(http2: useHTTP2) else { return }
            setPollingWrite(false)
            readAvailable()
        case .wantRead:
            setPollingWrite(false)
        case .wantWrite:
            setPollingWrite(true)
        case .closed:
            close(reason: "tls closed during handshake")
        case .failed(let message):
            context.logger.debug("tls.handshake.failed", ["error": .string(message)])
            close(reason: "tls handshake failed")
        }
    }

    private func readAvailable() {
        let buffer = owner.readBuffer
        // A bounded number of reads per wake-up keeps one busy peer from starving the others;
        // level-triggered epoll calls again for what is left.
        for _ in 0..<8 {
            guard !closed else { return }
            switch channel.read(into: buffer) {
            case .bytes(let count):
                lastActivity = loop.iterationTime
                guard deliver(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) else {
                    finishAfterFlush()
                    return
                }
                if count < buffer.count && !channel.hasBufferedInput { return }
            case .wouldBlock:
                return
            case .closed:
                peerClosed = true
                finishAfterFlush()
                return
            case .failed(let message):
                context.logger.debug("connection.read.failed", ["error": .string(message)])
                close(reason: "read failed")
                return
            }
        }
    }

    /// Hands bytes to the session, choosing it first on a plaintext connection.
    private func deliver(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if case .detecting = phase {
            detected.append(contentsOf: bytes)
            let prefix = min(detected.count, Self.preface.count)
            let looksLikeHTTP2 = detected[0..<prefix].elementsEqual(Self.preface[0..<prefix])
            if looksLikeHTTP2 && detected.count < Self.preface.count { return true }
            guard start(http2: looksLikeHTTP2) else { return false }
            let pending = detected
            detected = []
            return pending.withUnsafeBytes { session?.receive($0) ?? false }
        }
        return session?.receive(bytes) ?? false
    }

    private func start(http2: Bool) -> Bool {
        phase = .active
        if http2 {
            do {
                session = try HTTP2ServerSession(loop: loop, context: context, owner: self)
            } catch {
                context.logger.warning("http2.session.create.failed", ["error": "\(error)"])
                close(reason: "session failed")
                return false
            }
        } else {
            session = HTTP1ServerSession(loop: loop, context: context, owner: self)
        }
        if owner.shuttingDown {
            session?.beginShutdown()
        }
        sessionHasOutput()
        return true
    }

    // MARK: Writing

    private func flush() {
        guard !closed else { return }
        while true {
            if output.isEmpty {
                session?.produceOutput(into: &output, limit: context.limits.maxOutputBufferBytes)
                if output.isEmpty { break }
            }
            let result = output.withReadableBytes { channel.write($0) }
            switch result {
            case .bytes(let count):
                output.consume(count)
                lastWriteProgress = loop.iterationTime
                lastActivity = lastWriteProgress
            case .wouldBlock:
                setPollingWrite(true)
                return
            case .closed:
                close(reason: "peer closed")
                return
            case .failed(let message):
                context.logger.debug("connection.write.failed", ["error": .string(message)])
                close(reason: "write failed")
                return
            }
        }
        setPollingWrite(false)
        if peerClosed || session?.wantsClose ?? true {
            close(reason: peerClosed ? "peer closed" : "session finished")
        }
    }

    private func finishAfterFlush() {
        if session == nil {
            close(reason: "closed before a protocol was chosen")
            return
        }
        peerClosed = peerClosed || session?.wantsClose == true
        if !peerClosed {
            // The session failed: write its GOAWAY or error answer, then close.
            peerClosed = true
        }
        flush()
    }

    private func setPollingWrite(_ wanted: Bool) {
        guard wanted != pollingWrite, !closed else { return }
        pollingWrite = wanted
        let events = EPOLLIN.rawValue | (wanted ? EPOLLOUT.rawValue : 0)
        loop.modify(fd: channel.fd, events: events)
    }

    private func timeOut(_ kind: String) {
        context.metrics.timeouts.increment()
        context.logger.debug("connection.timeout", ["timeout": .string(kind)])
        if let session, kind == "idle" {
            session.beginShutdown()
            sessionHasOutput()
            peerClosed = true
            return
        }
        close(reason: "\(kind) timeout")
    }
}
