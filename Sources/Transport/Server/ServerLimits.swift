/// The limits and timeouts a server holds every connection to. Defaults suit production; tests
/// shorten the timeouts.
public struct ServerLimits: Sendable, Equatable {
    /// SETTINGS_MAX_CONCURRENT_STREAMS, and the cap on handlers in flight per connection
    /// (a stream the server itself reset still counts until its handler has answered).
    public var maxConcurrentStreams: Int = 100
    /// SETTINGS_MAX_HEADER_LIST_SIZE, enforced by counting (name + value + 32 per field).
    public var maxHeaderListBytes: Int = 16 * 1024
    /// SETTINGS_INITIAL_WINDOW_SIZE: how much request body a stream may send unacknowledged.
    public var initialWindowBytes: Int = 256 * 1024
    /// The connection-level receive window.
    public var connectionWindowBytes: Int = 1 << 20
    /// A request body larger than this gets 413.
    public var maxRequestBodyBytes: Int = 1 << 20
    /// Request body bytes one HTTP/2 connection may hold across all its streams before new
    /// data is refused (RST_STREAM REFUSED_STREAM): many streams each under the body limit
    /// must not add up to unbounded memory.
    public var maxBufferedRequestBytes: Int = 4 << 20
    /// Bytes queued for one connection before it stops pulling more from its session.
    public var maxOutputBufferBytes: Int = 256 * 1024

    /// Time from accept to the client's preface and SETTINGS (or a first request line).
    public var prefaceTimeout: Duration64 = .seconds(10)
    /// A connection with no open streams and no traffic for this long is closed.
    public var idleTimeout: Duration64 = .seconds(120)
    /// A request whose headers have not finished after this long is reset (408 on HTTP/1.1),
    /// and so is a buffered request body that stalls this long (a streaming route's body is
    /// left to its handler).
    public var headerTimeout: Duration64 = .seconds(10)
    /// A connection with output waiting and no byte written for this long is closed: slow
    /// readers and zero windows.
    public var writeTimeout: Duration64 = .seconds(30)
    /// How often each loop checks its connections' timeouts.
    public var sweepInterval: Duration64 = .milliseconds(250)

    /// nghttp2's Rapid Reset guard: incoming RST_STREAM allowed in a burst, then per second.
    public var resetBurst: Int = 1000
    public var resetRatePerSecond: Int = 33
    /// nghttp2's guard against a header block split into endless CONTINUATION frames.
    public var maxContinuations: Int = 8
    /// nghttp2's guard on SETTINGS entries in one frame.
    public var maxSettingsEntries: Int = 32
    /// nghttp2's guard on queued outbound ACK frames (PING and SETTINGS floods).
    public var maxOutboundAcks: Int = 1000

    public init() {}
}
