/// Where a `BodyStream` reports that it has bytes (or its end) to send. Loop thread only.
protocol BodyStreamSink: AnyObject {
    /// New bytes (or the end) were queued on the body of `streamID`.
    func streamHasOutput(streamID: Int32)
}

/// What a protocol session offers its responders. Loop thread only.
protocol ResponseSink: BodyStreamSink {
    func sendResponse(_ response: HTTPResponse, streamID: Int32)
    func startStreaming(status: Int, headers: HTTPHeaders, stream: BodyStream, streamID: Int32)
}

/// A weak reference that can cross threads; dereferenced on the owning loop only.
struct Weak<Object: AnyObject>: @unchecked Sendable {
    // @unchecked: the object is only dereferenced on the event loop that owns it.
    weak var object: Object?

    init(_ object: Object) {
        self.object = object
    }
}

/// A reference to an object confined to one event loop, carried across threads and
/// dereferenced only on that loop.
struct LoopBound<Object>: @unchecked Sendable {
    // @unchecked: the object is only used on the event loop that owns it.
    let object: Object

    init(_ object: Object) {
        self.object = object
    }
}

/// What a callback-backed responder reports.
public enum ResponderEvent: Sendable {
    case response(HTTPResponse)
    case streamHead(status: Int, headers: HTTPHeaders)
    case streamData([UInt8])
    case streamEnd
}
