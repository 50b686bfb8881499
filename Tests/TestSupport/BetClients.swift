import Foundation
import Transport

/// Customers' own connections to edges: `count` HTTP/2 clients, each with its own
/// connection, spread over the edges in turn, sharing two event loops.
public final class BetClients: @unchecked Sendable {
    // @unchecked: immutable after creation; the clients themselves are thread-safe.
    private let loops: [EventLoop]
    public let clients: [HTTP2Client]

    public init(count: Int, edges: [EdgeNode]) throws {
        let loops = try (0..<2).map { try EventLoop(name: "customers-\($0)") }
        self.loops = loops
        clients = try (0..<count).map { index in
            try HTTP2Client(
                configuration: HTTP2ClientConfiguration(
                    address: "127.0.0.1:\(edges[index % edges.count].port)",
                    backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(100))),
                loop: loops[index % loops.count])
        }
    }

    deinit {
        for client in clients {
            client.close()
        }
        for loop in loops {
            loop.shutdown()
        }
    }

    /// Places a bet through client `index`; a transport failure comes back as status 0.
    public func place(
        _ index: Int, token: String, key: String, json: String
    ) async -> HTTPClientResponse {
        let request = HTTPClientRequest(
            method: .post, path: "/v1/bets",
            headers: [
                "authorization": "Bearer \(token)", "idempotency-key": key,
                "content-type": "application/json",
            ],
            body: Array(json.utf8), timeout: .seconds(30))
        do {
            return try await clients[index % clients.count].execute(request)
        } catch {
            return HTTPClientResponse(
                status: 0, headers: HTTPHeaders(), body: Array("\(error)".utf8))
        }
    }
}
