import Locks
import Testing
import TestSupport
@testable import Transport

/// A connection reuses a stream's responder for later requests only once nothing else holds
/// it: a handler that keeps its responder can never answer somebody else's request with it.
@Suite struct ResponderReuseTests {
    /// Responders the handlers saw, and the ones `/keep` holds on to.
    private final class Seen: Sendable {
        let identities = Lock<[ObjectIdentifier]>([])
        let kept = Lock<[Responder]>([])
    }

    private static func router(_ seen: Seen) -> Router {
        var router = Router()
        router.add(.get, "/keep") { _, responder in
            seen.identities.withLock { $0.append(ObjectIdentifier(responder)) }
            seen.kept.withLock { $0.append(responder) }
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "kept"))
        }
        router.add(.get, "/plain") { request, responder in
            seen.identities.withLock { $0.append(ObjectIdentifier(responder)) }
            responder.respond(HTTPResponse(
                status: 200, contentType: "text/plain", text: request.queryParameter("n") ?? ""))
        }
        return router
    }

    @Test func aKeptResponderIsNeverHandedToAnotherRequest() async throws {
        let seen = Seen()
        let server = try TestServer(router: Self.router(seen), threads: 1)
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }

        let kept = try await client.client.execute(HTTPClientRequest(path: "/keep"))
        #expect(kept.text == "kept")
        for index in 0..<50 {
            let plain = try await client.client.execute(
                HTTPClientRequest(path: "/plain?n=\(index)"))
            #expect(plain.text == "\(index)")
        }
        let identities = seen.identities.withLock { $0 }
        let keptIdentity = try #require(identities.first)
        #expect(!identities.dropFirst().contains(keptIdentity))

        // The kept responder answered once; answering again does nothing, to anyone.
        let responder = try #require(seen.kept.withLock { $0.first })
        #expect(responder.hasAnswered)
        responder.respond(HTTPResponse(status: 500))
        let after = try await client.client.execute(HTTPClientRequest(path: "/plain?n=last"))
        #expect(after.status == 200)
        #expect(after.text == "last")
        #expect(server.metric("transport_connections_accepted_total") == 1)
    }
}
