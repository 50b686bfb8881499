import Testing
import TestSupport
@testable import Transport

/// Fields a handler marks `indexing: .never` go out as HPACK "never indexed" literals, and the
/// others may be indexed; a client decodes both the same.
@Suite struct HeaderIndexingTests {
    private static func router() -> Router {
        var router = Router()
        router.add(.get, "/versioned/:n") { request, responder in
            var headers = HTTPHeaders()
            headers.add("content-type", "application/json")
            headers.add("x-version", "v-\(request.parameter("n") ?? "")", indexing: .never)
            responder.respond(HTTPResponse(status: 200, headers: headers, body: Array("{}".utf8)))
        }
        return router
    }

    @Test func neverIndexedFieldsAreSentAsNeverIndexedLiterals() throws {
        let server = try TestServer(router: Self.router())
        defer { server.stop() }
        let connection = try RawHTTP2Connection(port: server.port)
        connection.start()
        for (index, stream) in [UInt32(1), 3].enumerated() {
            #expect(connection.send(
                connection.requestFrame(streamID: stream, path: "/versioned/\(index)")))
            let headers = try #require(connection.readUntil {
                $0.type == RawHTTP2Connection.FrameType.headers && $0.streamID == stream
            })
            let fields = connection.decodeHeaders(headers)
            let version = try #require(fields.first { $0.name == "x-version" })
            #expect(version.value == "v-\(index)")
            #expect(version.neverIndexed)
            let type = try #require(fields.first { $0.name == "content-type" })
            #expect(type.value == "application/json")
            #expect(!type.neverIndexed)
        }
    }

    @Test func removingAFieldKeepsTheOthersIndexing() {
        var headers = HTTPHeaders()
        headers.add("a", "1", indexing: .never)
        headers.add("b", "2")
        headers.add("c", "3", indexing: .never)
        headers.remove("b")
        var seen: [(String, HeaderIndexing)] = []
        headers.forEachRaw { name, value, indexing in
            seen.append((String(decoding: name, as: UTF8.self) + "="
                + String(decoding: value, as: UTF8.self), indexing))
        }
        #expect(seen.map(\.0) == ["a=1", "c=3"])
        #expect(seen.map(\.1) == [.never, .never])
    }
}
