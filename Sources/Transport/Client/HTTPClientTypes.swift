/// A request for `HTTP2Client`.
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    /// Path and query, e.g. `/v1/markets/m1?x=1`.
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Fails the request with `.timeout` when no complete answer came in this time.
    public var timeout: Duration64?

    public init(
        method: HTTPMethod = .get, path: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], timeout: Duration64? = nil
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// A whole response.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var text: String {
        String(decoding: body, as: UTF8.self)
    }
}

/// What a streamed response reports, in order, on the client's event loop: the head, each
/// piece of the body, then exactly one end (success, or the error that cut it short).
public struct HTTPClientStreamHandlers: Sendable {
    public var onHead: @Sendable (Int, HTTPHeaders) -> Void
    public var onData: @Sendable ([UInt8]) -> Void
    public var onEnd: @Sendable (Result<HTTPHeaders, TransportError>) -> Void

    public init(
        onHead: @escaping @Sendable (Int, HTTPHeaders) -> Void = { _, _ in },
        onData: @escaping @Sendable ([UInt8]) -> Void = { _ in },
        onEnd: @escaping @Sendable (Result<HTTPHeaders, TransportError>) -> Void
    ) {
        self.onHead = onHead
        self.onData = onData
        self.onEnd = onEnd
    }
}

/// Settings of an `HTTP2Client`.
public struct HTTP2ClientConfiguration: Sendable {
    /// `host:port` of the peer.
    public var address: String
    /// TLS with ALPN h2 when set; h2c with prior knowledge when nil.
    public var tls: TLSClientConfiguration?
    public var connectTimeout: Duration64
    public var backoff: Backoff
    /// The largest response body `execute(_:)` collects; a bigger one fails the request.
    public var maxResponseBodyBytes: Int

    public init(
        address: String, tls: TLSClientConfiguration? = nil,
        connectTimeout: Duration64 = .seconds(5), backoff: Backoff = Backoff(),
        maxResponseBodyBytes: Int = 64 << 20
    ) {
        self.address = address
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.backoff = backoff
        self.maxResponseBodyBytes = maxResponseBodyBytes
    }
}
