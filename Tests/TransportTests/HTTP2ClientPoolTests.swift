import Locks
import Testing
import TestSupport
@testable import Transport

/// A pool keeps more requests in flight to one server than one connection's stream limit.
@Suite struct HTTP2ClientPoolTests {
    /// 150 requests that the server answers only once all 150 are open at the same time:
    /// over one connection, with the server's limit of 100 streams, that never happens.
    @Test func moreRequestsInFlightThanOneConnectionsStreamLimit() throws {
        let held = 150
        let parked = Lock<[Responder]>([])
        var router = Router()
        router.add(.get, "/hold") { _, responder in
            let waiting = parked.withLock { list -> [Responder] in
                list.append(responder)
                return list.count == held ? list : []
            }
            for responder in waiting {
                responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "ok"))
            }
        }
        let server = try TestServer(router: router)
        defer { server.stop() }
        let loop = try EventLoop(name: "pool-test")
        defer { loop.shutdown() }
        let pool = try HTTP2ClientPool(
            configuration: HTTP2ClientConfiguration(address: "127.0.0.1:\(server.port)"),
            connections: 2, loop: loop)
        defer { pool.close() }

        let statuses = Lock<[Int]>([])
        for _ in 0..<held {
            let status = Lock(0)
            pool.execute(
                HTTPClientRequest(method: .get, path: "/hold", timeout: .seconds(20)),
                handlers: HTTPClientStreamHandlers(
                    onHead: { code, _ in status.withLock { $0 = code } },
                    onData: { _ in },
                    onEnd: { _ in
                        let code = status.withLock { $0 }
                        statuses.withLock { $0.append(code) }
                    }))
        }
        let answered = Eventually.wait(timeout: 10) { statuses.withLock { $0.count } == held }
        #expect(answered, "answered: \(statuses.withLock { $0.count }) of \(held)")
        #expect(statuses.withLock { $0 } == Array(repeating: 200, count: held))
        // The pool took its connections in turn.
        #expect(server.metric("transport_connections_accepted_total") == 2)
    }
}
