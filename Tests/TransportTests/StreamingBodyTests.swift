import Foundation
import Locks
import Testing
import TestSupport
@testable import Transport

/// Request bodies streamed into handlers, and request bodies streamed out by the client.
@Suite struct StreamingBodyTests {
    /// `/count` counts the lines of a streamed body; `/echo` sends each chunk straight back
    /// as it arrives; `/watch` records how the body ended.
    private static func router(ends: Lock<[String]>) -> Router {
        var router = TestRoutes.router()
        router.addStreaming(.post, "/count") { _, body, responder in
            let lines = Lock(0)
            body.read(
                onChunk: { chunk in
                    lines.withLock { $0 += chunk.lazy.filter { $0 == UInt8(ascii: "\n") }.count }
                },
                onEnd: { error in
                    let count = lines.withLock { $0 }
                    responder.respond(HTTPResponse(
                        status: error == nil ? 200 : 400, contentType: "text/plain",
                        text: "\(count)"))
                })
        }
        router.addStreaming(.post, "/duplex") { _, body, responder in
            let stream = responder.startStream(headers: ["content-type": "text/plain"])
            body.read(onChunk: { stream.write($0) }, onEnd: { _ in stream.finish() })
        }
        router.addStreaming(.post, "/watch") { _, body, responder in
            body.read(onChunk: { _ in }, onEnd: { error in
                ends.withLock { $0.append(error.map { "\($0)" } ?? "complete") }
                responder.respond(HTTPResponse(status: 200))
            })
        }
        return router
    }

    @Test func clientStreamsTenThousandLinesIntoAStreamingRoute() async throws {
        let server = try TestServer(router: Self.router(ends: Lock([])))
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let answer = Lock<(Int, String)?>(nil)
        let collected = Lock<[UInt8]>([])
        let (_, body) = client.client.executeStreaming(
            HTTPClientRequest(method: .post, path: "/count"),
            handlers: HTTPClientStreamHandlers(
                onHead: { status, _ in answer.withLock { $0 = (status, "") } },
                onData: { bytes in collected.withLock { $0 += bytes } },
                onEnd: { _ in }),
            highWaterBytes: 8 * 1024)
        let writer = Thread {
            for index in 0..<10_000 {
                while !body.isWritable && !body.isClosed { usleep(100) }
                body.write(Array("line \(index)\n".utf8))
            }
            body.finish()
        }
        writer.start()
        #expect(Eventually.wait(timeout: 20) { collected.withLock { $0.count } >= 5 })
        #expect(answer.withLock { $0?.0 } == 200)
        #expect(String(decoding: collected.withLock { $0 }, as: UTF8.self) == "10000")
    }

    @Test func fullDuplexEchoesEachPieceBeforeTheBodyEnds() async throws {
        let server = try TestServer(router: Self.router(ends: Lock([])))
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let echoed = Lock<String>("")
        let ended = Lock(false)
        let (_, body) = client.client.executeStreaming(
            HTTPClientRequest(method: .post, path: "/duplex"),
            handlers: HTTPClientStreamHandlers(
                onData: { bytes in
                    echoed.withLock { $0 += String(decoding: bytes, as: UTF8.self) }
                },
                onEnd: { _ in ended.withLock { $0 = true } }))
        var expected = ""
        for round in 0..<100 {
            let message = "ping \(round)\n"
            expected += message
            body.write(Array(message.utf8))
            // The echo must come back while the request body is still open.
            #expect(Eventually.wait(timeout: 5) { echoed.withLock { $0 } == expected })
        }
        #expect(!ended.withLock { $0 })
        body.finish()
        #expect(Eventually.wait(timeout: 5) { ended.withLock { $0 } })
    }

    @Test func curlHTTP11BodyReachesAStreamingRouteWhole() throws {
        let server = try TestServer(router: Self.router(ends: Lock([])))
        defer { server.stop() }
        let lines = (0..<500).map { "line \($0)\n" }.joined()
        let output = try Command.run("curl", [
            "-sS", "--http1.1", "--data-binary", "@-", "\(server.baseURL)/count",
        ], input: Array(lines.utf8))
        #expect(output.stdout == "500")
    }

    @Test func aResetMidBodyEndsTheHandlersReadWithAnError() async throws {
        let ends = Lock<[String]>([])
        let server = try TestServer(router: Self.router(ends: ends))
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let (handle, body) = client.client.executeStreaming(
            HTTPClientRequest(method: .post, path: "/watch"),
            handlers: HTTPClientStreamHandlers(onEnd: { _ in }))
        body.write(Array("partial".utf8))
        #expect(Eventually.wait(timeout: 5) {
            server.metric("transport_requests_total") == 1
        })
        handle.cancel()
        #expect(Eventually.wait(timeout: 5) { !ends.withLock { $0 }.isEmpty })
        #expect(ends.withLock { $0 }.first?.contains("reset") == true)
    }
}
