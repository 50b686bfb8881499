import Dispatch
import Foundation
@testable import Transport

/// Routes the server tests share: plain answers, echo, large bodies, streams, and answers
/// completed from another thread.
enum TestRoutes {
    static func router() -> Router {
        var router = Router()
        router.add(.get, "/hello") { _, responder in
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "hello"))
        }
        router.add(.post, "/echo") { request, responder in
            responder.respond(HTTPResponse(
                status: 200, headers: ["content-type": "application/octet-stream"],
                body: request.body))
        }
        router.add(.get, "/big") { request, responder in
            let size = request.queryParameter("bytes").flatMap { Int($0) } ?? 0
            responder.respond(HTTPResponse(status: 200, body: pattern(size)))
        }
        router.add(.get, "/slow") { _, responder in
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(10)) {
                responder.respond(HTTPResponse(
                    status: 200, contentType: "text/plain", text: "from another thread"))
            }
        }
        router.add(.get, "/stream") { request, responder in
            let count = request.queryParameter("count").flatMap { Int($0) } ?? 10
            let stream = responder.startStream(
                headers: ["content-type": "text/plain"], highWaterBytes: 16 * 1024)
            let producer = StreamProducer(stream: stream, count: count)
            stream.onWritable { producer.resume() }
            producer.resume()
        }
        return router
    }

    /// `size` bytes of a repeating, position-dependent pattern, so any reordering shows.
    static func pattern(_ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
    }
}

/// Writes numbered lines from a background queue, pausing whenever the stream reports that
/// its buffer is full, and resuming on `onWritable`.
final class StreamProducer: @unchecked Sendable {
    // @unchecked: `next` is only touched on `queue`, a serial queue.
    private let stream: BodyStream
    private let count: Int
    private let queue = DispatchQueue(label: "producer")
    private var next = 0

    init(stream: BodyStream, count: Int) {
        self.stream = stream
        self.count = count
    }

    func resume() {
        queue.async { [self] in
            while next < count {
                let writable = stream.write(Array("message \(next)\n".utf8))
                next += 1
                if next == count {
                    stream.finish()
                    return
                }
                if !writable { return }
            }
        }
    }
}
