import Synchronization

/// A few HTTP/2 connections to one peer, taken in turn. One connection carries at most as
/// many requests at once as the peer's concurrent-stream limit (100 on our servers); beyond
/// that nghttp2 holds new requests back until a stream closes. A client that must keep more
/// in flight (an edge forwarding thousands of bets a second to an origin that answers each
/// only after its group's commit) spreads them over several connections instead.
///
/// Every method may be called from any thread; each connection's handlers run on `loop`.
public final class HTTP2ClientPool: Sendable {
    public let clients: [HTTP2Client]
    private let turn = Atomic<Int>(0)

    /// `connections` clients (at least one) of the same configuration on `loop`. Throws a
    /// TLS error when the CA file or client certificate cannot be used.
    public init(
        configuration: HTTP2ClientConfiguration, connections: Int, loop: EventLoop
    ) throws(TransportError) {
        var clients: [HTTP2Client] = []
        for _ in 0..<max(1, connections) {
            clients.append(try HTTP2Client(configuration: configuration, loop: loop))
        }
        self.clients = clients
    }

    /// The connection for the next request: each in turn.
    public func next() -> HTTP2Client {
        let index = turn.wrappingAdd(1, ordering: .relaxed).oldValue
        return clients[Int(UInt(bitPattern: index) % UInt(clients.count))]
    }

    /// Sends `request` on the next connection; see `HTTP2Client.execute(_:handlers:)`.
    @discardableResult
    public func execute(
        _ request: HTTPClientRequest, handlers: HTTPClientStreamHandlers
    ) -> HTTPClientStreamHandle {
        next().execute(request, handlers: handlers)
    }

    /// Closes every connection; requests in flight end with `.shutdown`.
    public func close() {
        clients.forEach { $0.close() }
    }
}
