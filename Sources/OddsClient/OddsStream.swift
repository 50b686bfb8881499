import Locks
import Transport

/// One live stream from one edge: `GET /v1/stream` read as Server-Sent Events. Ends when
/// the edge ends it, the connection fails, or nothing (not even a heartbeat) arrives for
/// `silenceTimeout`; `onEnd` then says why, once.
final class OddsStream: Sendable {
    private let client: HTTP2Client
    private let loop: EventLoop
    private let state = Lock(State())

    private struct State {
        var parser = ServerSentEventParser()
        var handle: HTTPClientStreamHandle?
        var lastBytes: UInt64 = MonotonicClock.now()
        var ended = false
        var timer: UInt64?
    }

    init(client: HTTP2Client, loop: EventLoop) {
        self.client = client
        self.loop = loop
    }

    /// The last event id seen on this stream, for resuming elsewhere.
    var lastEventID: String {
        state.withLock { $0.parser.lastEventID }
    }

    var retryMilliseconds: Int? {
        state.withLock { $0.parser.retryMilliseconds }
    }

    func start(
        query: String, lastEventID: String?, silenceTimeout: Duration64,
        onEvent: @escaping @Sendable (ServerSentEventMessage) -> Void,
        onEnd: @escaping @Sendable (String) -> Void
    ) {
        var headers: HTTPHeaders = ["accept": "text/event-stream"]
        if let lastEventID, !lastEventID.isEmpty {
            headers.add("last-event-id", lastEventID)
        }
        let request = HTTPClientRequest(
            method: .get, path: "/v1/stream" + (query.isEmpty ? "" : "?" + query),
            headers: headers)
        let handle = client.execute(request, handlers: HTTPClientStreamHandlers(
            onHead: { [self] status, _ in
                if status != 200 {
                    end("the edge answered \(status)", onEnd)
                }
            },
            onData: { [self] bytes in
                let events = state.withLock { state in
                    state.lastBytes = MonotonicClock.now()
                    return state.ended ? [] : state.parser.feed(bytes)
                }
                for event in events {
                    onEvent(event)
                }
            },
            onEnd: { [self] result in
                switch result {
                case .success: end("the edge ended the stream", onEnd)
                case .failure(let error): end("\(error)", onEnd)
                }
            }))
        state.withLock { $0.handle = handle }
        watchSilence(silenceTimeout, onEnd)
    }

    func cancel() {
        let handle = state.withLock { state -> HTTPClientStreamHandle? in
            state.ended = true
            return state.handle
        }
        handle?.cancel()
    }

    private func end(_ reason: String, _ onEnd: @Sendable (String) -> Void) {
        let first = state.withLock { state -> Bool in
            defer { state.ended = true }
            return !state.ended
        }
        guard first else { return }
        state.withLock { $0.handle }?.cancel()
        onEnd(reason)
    }

    private func watchSilence(
        _ timeout: Duration64, _ onEnd: @escaping @Sendable (String) -> Void
    ) {
        loop.execute { [self] in
            _ = loop.scheduleTimer(after: .milliseconds(200)) { [self] in
                let (ended, quiet) = state.withLock {
                    ($0.ended, MonotonicClock.now() &- $0.lastBytes)
                }
                guard !ended else { return }
                if quiet >= timeout.nanoseconds {
                    end("nothing arrived for \(timeout.nanoseconds / 1_000_000) ms", onEnd)
                } else {
                    watchSilence(timeout, onEnd)
                }
            }
        }
    }
}
