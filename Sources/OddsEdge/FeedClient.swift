import Locks
import OddsModel
import Service
import Telemetry
import Transport

/// Dials the upstream feed (`POST /v1/feed`), hands every frame to the applier, and dials
/// again with capped, jittered backoff whenever the stream ends, fails, or the applier asks
/// for a resynchronisation. Each stream is a numbered session, so frames of an abandoned
/// stream are never applied.
final class FeedClient: Sendable {
    struct Settings: Sendable {
        var edgeID: String
        var advertisedAddress: String
        var token: String
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
    }

    private let settings: Settings
    private let client: HTTP2Client
    private let applier: FeedApplier
    private let state: EdgeState
    private let metrics: EdgeMetrics
    private let logger: Logger
    private let session = Lock(SessionState())

    private struct SessionState {
        var number: UInt64 = 0
        var handle: HTTPClientStreamHandle?
        var backoff: Backoff
        var stopped = false
        var everConnected = false

        init(backoff: Backoff = Backoff()) {
            self.backoff = backoff
        }
    }

    init(
        settings: Settings, client: HTTP2Client, applier: FeedApplier, state: EdgeState,
        metrics: EdgeMetrics, logger: Logger
    ) {
        self.settings = settings
        self.client = client
        self.applier = applier
        self.state = state
        self.metrics = metrics
        self.logger = logger
        session.withLock { $0.backoff = settings.backoff }
    }

    func start() {
        client.loop.execute { [self] in dial() }
    }

    func stop() {
        let handle = session.withLock { session -> HTTPClientStreamHandle? in
            session.stopped = true
            return session.handle
        }
        handle?.cancel()
    }

    /// The applier could not apply a frame of `number` in order: drop that stream and dial
    /// again from the stored cursor. Any thread.
    func resynchronise(session number: UInt64) {
        let handle = session.withLock { $0.number == number ? $0.handle : nil }
        handle?.cancel()
    }

    // MARK: Loop thread

    private func dial() {
        let (number, stopped) = session.withLock { session -> (UInt64, Bool) in
            session.number += 1
            return (session.number, session.stopped)
        }
        guard !stopped else { return }
        let cursor = state.snapshot.applied
        var path = "/v1/feed?edge=\(settings.edgeID)&epoch=\(FeedPosition.hex(cursor.epoch))"
        path += "&after=\(cursor.sequence)"
        if !settings.advertisedAddress.isEmpty {
            path += "&address=\(settings.advertisedAddress)"
        }
        let request = HTTPClientRequest(
            method: .post, path: path,
            headers: ["authorization": "Bearer \(settings.token)"])
        let decoder = Lock(FeedFrameDecoder())
        let applier = self.applier
        let (handle, body) = client.executeStreaming(request, handlers: HTTPClientStreamHandlers(
            onHead: { [self] status, _ in
                guard status == 200 else {
                    logger.error("feed.refused", ["status": .int(Int64(status))])
                    return
                }
                connected(session: number)
            },
            onData: { [self] bytes in
                let frames = decoder.withLock { decoder -> Result<[FeedFrame], WireError> in
                    decoder.append(bytes)
                    var frames: [FeedFrame] = []
                    do throws(WireError) {
                        while let frame = try decoder.next() {
                            frames.append(frame)
                        }
                    } catch {
                        return .failure(error)
                    }
                    return .success(frames)
                }
                switch frames {
                case .success(let frames):
                    for frame in frames {
                        applier.submit(.frame(session: number, frame))
                    }
                case .failure(let error):
                    metrics.resyncs.increment()
                    logger.error("feed.bad_frame", ["error": .string("\(error)")])
                    resynchronise(session: number)
                }
            },
            onEnd: { [self] result in
                ended(session: number, result: result)
            }))
        session.withLock { $0.handle = handle }
        applier.acknowledge(to: body, session: number)
    }

    private func connected(session number: UInt64) {
        let reconnect = session.withLock { session -> Bool in
            session.backoff.reset()
            defer { session.everConnected = true }
            return session.everConnected
        }
        if reconnect {
            metrics.reconnects.increment()
        }
        metrics.connected.set(1)
        state.update { $0.connected = true }
        logger.info("feed.connected", [
            "session": .int(Int64(number)), "from": .string("\(state.snapshot.applied)"),
        ])
    }

    private func ended(session number: UInt64, result: Result<HTTPHeaders, TransportError>) {
        let (current, stopped, delay) = session.withLock { session in
            (session.number, session.stopped, session.backoff.nextDelay())
        }
        guard number == current else { return }
        metrics.connected.set(0)
        state.update { $0.connected = false }
        if stopped { return }
        switch result {
        case .success:
            logger.warning("feed.ended", ["retry_ms": .int(Int64(delay.nanoseconds / 1_000_000))])
        case .failure(let error):
            logger.warning("feed.disconnected", [
                "error": .string("\(error)"),
                "retry_ms": .int(Int64(delay.nanoseconds / 1_000_000)),
            ])
        }
        _ = client.loop.scheduleTimer(after: delay) { [self] in dial() }
    }
}
