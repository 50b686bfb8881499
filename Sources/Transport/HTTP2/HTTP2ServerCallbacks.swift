import CNghttp2

/// nghttp2's callback table for server sessions, made once and shared.
///
/// Each callback recovers its `HTTP2ServerSession` from the user data with `Unmanaged` and
/// never throws: a fault becomes nghttp2's failure code, so nghttp2 resets the stream or
/// closes the connection.
final class HTTP2ServerCallbacks: @unchecked Sendable {
    // @unchecked: the table is filled in once in `init` and only read by nghttp2 afterwards.

    static let shared = HTTP2ServerCallbacks()

    let pointer: OpaquePointer

    private init() {
        var callbacks: OpaquePointer?
        let status = nghttp2_session_callbacks_new(&callbacks)
        precondition(status == 0, "nghttp2 could not allocate its callback table")
        pointer = callbacks!
        nghttp2_session_callbacks_set_on_begin_headers_callback(pointer, onBeginHeaders)
        nghttp2_session_callbacks_set_on_header_callback(pointer, onHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(pointer, onFrameReceived)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(pointer, onDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(pointer, onStreamClose)
        nghttp2_session_callbacks_set_on_frame_send_callback(pointer, onFrameSent)
    }

    /// The data provider's read callback: copies response body bytes into nghttp2's buffer.
    static let readResponseBody: nghttp2_data_source_read_callback = {
        _, _, buffer, length, flags, source, _ in
        guard let raw = source?.pointee.ptr, let buffer, let flags else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let target = UnsafeMutableRawBufferPointer(start: buffer, count: length)
        return Unmanaged<ServerStream>.fromOpaque(raw)._withUnsafeGuaranteedRef { stream in
            readBody(of: stream, into: target, flags: flags)
        }
    }

    private static func readBody(
        of stream: ServerStream, into target: UnsafeMutableRawBufferPointer,
        flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        if let response = stream.streamingResponse {
            return BodySource.read(
                response, into: target, flags: flags, deferred: &stream.deferred)
        }
        let count = BodySource.read(
            stream.responseBody, offset: &stream.responseOffset, into: target, flags: flags)
        if stream.responseOffset == stream.responseBody.count {
            stream.responseBody = []
            stream.responseOffset = 0
        }
        return count
    }
}

// The session and its streams are kept alive by their owners for as long as nghttp2 can call
// back with them, so the callbacks borrow them (`_withUnsafeGuaranteedRef`) instead of taking
// a reference: a dozen callbacks per request would otherwise each retain and release both.

@inline(__always)
private func withServer(
    _ userData: UnsafeMutableRawPointer?, _ body: (HTTP2ServerSession) -> Int32
) -> Int32 {
    Unmanaged<HTTP2ServerSession>.fromOpaque(userData!)._withUnsafeGuaranteedRef(body)
}

@inline(__always)
private func withStream(
    _ session: OpaquePointer?, _ streamID: Int32, _ body: (ServerStream) -> Int32
) -> Int32 {
    guard let raw = nghttp2_session_get_stream_user_data(session, streamID) else { return 0 }
    return Unmanaged<ServerStream>.fromOpaque(raw)._withUnsafeGuaranteedRef(body)
}

private func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
        frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
    else { return 0 }
    return withServer(userData) { owner in
        owner.beginRequest(streamID: frame.pointee.hd.stream_id)
        return 0
    }
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int, _ value: UnsafePointer<UInt8>?,
    _ valueLength: Int, _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let name, let value else { return 0 }
    return withServer(userData) { owner in
        withStream(session, frame.pointee.hd.stream_id) { stream in
            onHeader(owner, stream, name, nameLength, value, valueLength)
        }
    }
}

@inline(__always)
private func onHeader(
    _ owner: HTTP2ServerSession, _ stream: ServerStream, _ name: UnsafePointer<UInt8>,
    _ nameLength: Int, _ value: UnsafePointer<UInt8>, _ valueLength: Int
) -> Int32 {
    stream.headerListBytes += nameLength + valueLength + 32
    if stream.headerListBytes > owner.context.limits.maxHeaderListBytes {
        // Counted here because nghttp2 advertises the limit but does not enforce it.
        stream.rejectedStatus = 431
        stream.headers = HTTPHeaders()
        return 0
    }
    guard stream.rejectedStatus == nil else { return 0 }
    let nameBytes = UnsafeBufferPointer(start: name, count: nameLength)
    let valueBytes = UnsafeBufferPointer(start: value, count: valueLength)
    if name.pointee == UInt8(ascii: ":") {
        // nghttp2 has checked the pseudo-headers already; only these three are kept.
        switch nameLength {
        case 7 where Bytes.equal(nameBytes, ":method"):
            stream.method = HTTPMethod(bytes: valueBytes)
        case 5 where Bytes.equal(nameBytes, ":path"):
            stream.target.append(contentsOf: valueBytes)
        case 10 where Bytes.equal(nameBytes, ":authority"):
            // Handlers read the authority as the Host header, as over HTTP/1.1.
            stream.hasAuthority = true
            stream.headers.add(lowercasedName: Bytes.of("host"), value: valueBytes)
        default:
            break
        }
    } else if !(stream.hasAuthority && Bytes.equal(nameBytes, "host")) {
        stream.headers.add(lowercasedName: nameBytes, value: valueBytes)
    }
    return 0
}

private func onFrameReceived(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let header = frame.pointee.hd
    return withServer(userData) { owner in
        switch header.type {
        case UInt8(NGHTTP2_SETTINGS.rawValue):
            owner.prefaceReceived = true
            return 0
        case UInt8(NGHTTP2_HEADERS.rawValue), UInt8(NGHTTP2_DATA.rawValue):
            return withStream(session, header.stream_id) { stream in
                requestFrameReceived(owner, stream, header)
            }
        default:
            return 0
        }
    }
}

@inline(__always)
private func requestFrameReceived(
    _ owner: HTTP2ServerSession, _ stream: ServerStream, _ header: nghttp2_frame_hd
) -> Int32 {
    stream.lastRequestActivity = owner.loop.iterationTime
    if header.type == UInt8(NGHTTP2_HEADERS.rawValue) && !stream.headersComplete {
        stream.headersComplete = true
        owner.headersComplete(stream)
    }
    let ended = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
    if ended {
        stream.requestEnded = true
        stream.bodyStream?.finish(nil)
    }
    // A rejected request is answered as soon as its headers are in; others once whole.
    if stream.dispatchedAt == 0 && !stream.refused
        && (ended || stream.rejectedStatus != nil)
    {
        owner.dispatch(stream)
    }
    return 0
}

private func onDataChunk(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?,
    _ length: Int, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data else { return 0 }
    return withServer(userData) { owner in
        withStream(session, streamID) { stream in
            dataReceived(owner, stream, UnsafeBufferPointer(start: data, count: length))
        }
    }
}

@inline(__always)
private func dataReceived(
    _ owner: HTTP2ServerSession, _ stream: ServerStream, _ bytes: UnsafeBufferPointer<UInt8>
) -> Int32 {
    guard stream.rejectedStatus == nil, !stream.refused else { return 0 }
    let length = bytes.count
    stream.lastRequestActivity = owner.loop.iterationTime
    if stream.bodyStream != nil {
        owner.deliverBody(bytes, to: stream)
        return 0
    }
    if stream.body.count + length > owner.context.limits.maxRequestBodyBytes {
        stream.rejectedStatus = 413
        owner.bufferedRequestBytes -= stream.body.count
        stream.body = []
        owner.dispatch(stream)
        return 0
    }
    owner.appendBody(bytes, to: stream)
    return 0
}

private func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    withServer(userData) { owner in
        owner.streamClosed(streamID, errorCode: errorCode)
        return 0
    }
}

private func onFrameSent(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let header = frame.pointee.hd
    switch header.type {
    case UInt8(NGHTTP2_GOAWAY.rawValue):
        return withServer(userData) { owner in
            owner.goAwaySent(code: frame.pointee.goaway.error_code)
            return 0
        }
    case UInt8(NGHTTP2_RST_STREAM.rawValue):
        if frame.pointee.rst_stream.error_code == UInt32(NGHTTP2_REFUSED_STREAM.rawValue) {
            return withServer(userData) { owner in
                owner.context.metrics.streamsRefused.increment()
                return 0
            }
        }
        return 0
    default:
        break
    }
    guard header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0 else { return 0 }
    return withStream(session, header.stream_id) { stream in
        guard stream.resetAfterResponse else { return 0 }
        // The answer went out before the request ended (413, 431): stop the rest of the
        // upload.
        stream.resetAfterResponse = false
        nghttp2_submit_rst_stream(
            session, UInt8(NGHTTP2_FLAG_NONE.rawValue), header.stream_id,
            UInt32(NGHTTP2_NO_ERROR.rawValue))
        return 0
    }
}
