/// One HTTP/2 request and its response, as the server session tracks them. Loop thread only.
/// Reused for later streams of the same connection (see `OpenStreams`).
final class ServerStream {
    private(set) var id: Int32
    private(set) var openedAt: UInt64
    /// Last time a header or body byte of the request arrived.
    var lastRequestActivity: UInt64

    var method: HTTPMethod = .get
    /// The `:path` pseudo-header's bytes (path and query); empty until it arrives.
    var target: [UInt8] = []
    var hasAuthority = false
    var headers = HTTPHeaders()
    var headerListBytes = 0
    var headersComplete = false
    var requestEnded = false
    var rejectedStatus: Int?
    /// Reset by the server (too much buffered request data); further input is ignored.
    var refused = false
    var body: [UInt8] = []
    /// The route found when the headers were complete.
    var match: Router.Match?
    /// Set for streaming routes: where body chunks go as they arrive.
    var bodyStream: RequestBodyStream?

    var dispatchedAt: UInt64 = 0
    /// The responder of this stream's last request, kept for the next request to reuse once
    /// its handler has let it go (see `Responder.reuse`).
    var responder: Responder?
    var responseBody: [UInt8] = []
    var responseOffset = 0
    var streamingResponse: BodyStream?
    var deferred = false
    /// Set when the response went out before the request ended: reset once it is sent.
    var resetAfterResponse = false

    /// Links of `OpenStreams` (its open list, or its free list through `next`), which owns
    /// every stream through another array: unmanaged, so moving a stream between the lists
    /// counts no references.
    var next: Unmanaged<ServerStream>?
    var previous: Unmanaged<ServerStream>?
    var isListed = true

    init(id: Int32, now: UInt64) {
        self.id = id
        openedAt = now
        lastRequestActivity = now
        headers.reserve(fields: 8, bytes: 256)
        target.reserveCapacity(64)
    }

    /// Makes a pooled stream new for `id`.
    func reset(id: Int32, now: UInt64) {
        self.id = id
        openedAt = now
        lastRequestActivity = now
        isListed = true
    }

    /// Drops what the finished request held, keeping the header buffers' capacity.
    func clear() {
        // Stores only where something is left: most fields were handed on or reset already
        // as the request went through, and each store of a reference costs a release.
        method = .get
        target.removeAll(keepingCapacity: true)
        hasAuthority = false
        headers.removeAll()
        headerListBytes = 0
        headersComplete = false
        requestEnded = false
        rejectedStatus = nil
        refused = false
        if !body.isEmpty { body = [] }
        if match != nil { match = nil }
        if bodyStream != nil { bodyStream = nil }
        dispatchedAt = 0
        if !responseBody.isEmpty { responseBody = [] }
        responseOffset = 0
        if streamingResponse != nil { streamingResponse = nil }
        deferred = false
        resetAfterResponse = false
    }

    /// Whether response body bytes are queued but not yet handed to nghttp2.
    var hasUnsentBody: Bool {
        if let streamingResponse { return streamingResponse.hasOutput }
        return responseOffset < responseBody.count
    }
}
