import Transport

/// `GET /v1/demo/ticks?count=N&interval_ms=M`: a streaming response of N numbered lines, one
/// every M milliseconds (all at once when M is 0), so streaming and graceful shutdown can be
/// tried without an origin.
enum DemoTicker {
    static let maxCount = 10_000_000
    static let maxIntervalMilliseconds = 60_000

    static func start(request: HTTPRequest, responder: Responder) {
        let count = request.queryParameter("count").flatMap { Int($0) } ?? 10
        let interval = request.queryParameter("interval_ms").flatMap { Int($0) } ?? 100
        guard (1...maxCount).contains(count), (0...maxIntervalMilliseconds).contains(interval)
        else {
            responder.respond(.problem(
                status: 400, title: "Bad ticker parameters",
                detail: "count must be 1 to \(maxCount), "
                    + "interval_ms 0 to \(maxIntervalMilliseconds)"))
            return
        }
        let stream = responder.startStream(headers: ["content-type": "text/plain"])
        let ticker = Ticker(stream: stream, count: count, interval: .milliseconds(interval))
        stream.onWritable { ticker.pump() }
        ticker.pump()
    }

    /// Writes ticks while the stream takes them; pauses when it is full and resumes on
    /// `onWritable`. Runs on the connection's loop.
    private final class Ticker: @unchecked Sendable {
        // @unchecked: `next` is touched only on the connection's event loop, where `pump`
        // always runs (first from the handler, then from the stream's callbacks and timers).
        let stream: BodyStream
        let count: Int
        let interval: Duration64
        var next = 0

        init(stream: BodyStream, count: Int, interval: Duration64) {
            self.stream = stream
            self.count = count
            self.interval = interval
        }

        func pump() {
            while next < count && !stream.isClosed {
                let written = stream.write(Array("tick \(next)\n".utf8))
                next += 1
                if next == count {
                    stream.finish()
                    return
                }
                if interval.nanoseconds > 0, let loop = EventLoop.current {
                    loop.scheduleTimer(after: interval) { [self] in pump() }
                    return
                }
                if !written { return }
            }
        }
    }
}
