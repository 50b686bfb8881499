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
        let stream = Unmanaged<ServerStream>.fromOpaque(raw).takeUnretainedValue()
        let target = UnsafeMutableRawBufferPointer(start: buffer, count: length)
        if let response = stream.streamingResponse {
            let (count, ended) = response.read(into: target)
            if ended {
                flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            } else if count == 0 {
                stream.deferred = true
                return Int(NGHTTP2_ERR_DEFERRED.rawValue)
            }
            return count
        }
        let count = min(length, stream.responseBody.count - stream.responseOffset)
        stream.responseBody.withUnsafeBytes { body in
            target.baseAddress!.copyMemory(
                from: body.baseAddress! + stream.responseOffset, byteCount: count)
        }
        stream.responseOffset += count
        if stream.responseOffset == stream.responseBody.count {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
            stream.responseBody = []
            stream.responseOffset = 0
        }
        return count
    }
}

/// The request pseudo-header names the server keeps, as bytes to compare without strings.
private enum PseudoHeader {
    static let method = Array(":method".utf8)
    static let path = Array(":path".utf8)
    static let authority = Array(":authority".utf8)
}

@inline(__always)
private func server(_ userData: UnsafeMutableRawPointer?) -> HTTP2ServerSession {
    Unmanaged<HTTP2ServerSession>.fromOpaque(userData!).takeUnretainedValue()
}

@inline(__always)
private func stream(
    _ session: OpaquePointer?, _ streamID: Int32
) -> ServerStream? {
    guard let raw = nghttp2_session_get_stream_user_data(session, streamID) else { return nil }
    return Unmanaged<ServerStream>.fromOpaque(raw).takeUnretainedValue()
}

private func onBeginHeaders(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
        frame.pointee.headers.cat == NGHTTP2_HCAT_REQUEST
    else { return 0 }
    server(userData).beginRequest(streamID: frame.pointee.hd.stream_id)
    return 0
}

private func onHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int, _ value: UnsafePointer<UInt8>?,
    _ valueLength: Int, _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let name, let value,
        let stream = stream(session, frame.pointee.hd.stream_id)
    else { return 0 }
    let owner = server(userData)
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
        case 7 where Bytes.equal(nameBytes, PseudoHeader.method):
            stream.method = String(decoding: valueBytes, as: UTF8.self)
        case 5 where Bytes.equal(nameBytes, PseudoHeader.path):
            stream.path = String(decoding: valueBytes, as: UTF8.self)
        case 10 where Bytes.equal(nameBytes, PseudoHeader.authority):
            stream.authority = String(decoding: valueBytes, as: UTF8.self)
        default:
            break
        }
    } else {
        stream.headers.add(name: nameBytes, value: valueBytes)
    }
    return 0
}

private func onFrameReceived(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let header = frame.pointee.hd
    let owner = server(userData)
    switch header.type {
    case UInt8(NGHTTP2_SETTINGS.rawValue):
        owner.prefaceReceived = true
    case UInt8(NGHTTP2_HEADERS.rawValue), UInt8(NGHTTP2_DATA.rawValue):
        guard let stream = stream(session, header.stream_id) else { return 0 }
        stream.lastRequestActivity = owner.loop.iterationTime
        if header.type == UInt8(NGHTTP2_HEADERS.rawValue) && !stream.headersComplete {
            stream.headersComplete = true
            if let authority = stream.authority, stream.headers["host"] == nil {
                stream.headers.add("host", authority)
            }
            owner.headersComplete(stream)
        }
        let ended = header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0
        if ended {
            stream.requestEnded = true
            stream.bodyStream?.finish(nil)
        }
        // A rejected request is answered as soon as its headers are in; others once whole.
        if stream.dispatchedAt == 0 && !stream.refused && (ended || stream.rejectedStatus != nil) {
            owner.dispatch(stream)
        }
    default:
        break
    }
    return 0
}

private func onDataChunk(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?,
    _ length: Int, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, let stream = stream(session, streamID), stream.rejectedStatus == nil,
        !stream.refused
    else { return 0 }
    let owner = server(userData)
    stream.lastRequestActivity = owner.loop.iterationTime
    if stream.bodyStream != nil {
        owner.deliverBody(UnsafeBufferPointer(start: data, count: length), to: stream)
        return 0
    }
    if stream.body.count + length > owner.context.limits.maxRequestBodyBytes {
        stream.rejectedStatus = 413
        owner.bufferedRequestBytes -= stream.body.count
        stream.body = []
        owner.dispatch(stream)
        return 0
    }
    owner.appendBody(UnsafeBufferPointer(start: data, count: length), to: stream)
    return 0
}

private func onStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    server(userData).streamClosed(streamID, errorCode: errorCode)
    return 0
}

private func onFrameSent(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame else { return 0 }
    let header = frame.pointee.hd
    let owner = server(userData)
    switch header.type {
    case UInt8(NGHTTP2_GOAWAY.rawValue):
        owner.goAwaySent(code: frame.pointee.goaway.error_code)
        return 0
    case UInt8(NGHTTP2_RST_STREAM.rawValue):
        if frame.pointee.rst_stream.error_code == UInt32(NGHTTP2_REFUSED_STREAM.rawValue) {
            owner.context.metrics.streamsRefused.increment()
        }
        return 0
    default:
        break
    }
    guard header.flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
        let stream = stream(session, header.stream_id), stream.resetAfterResponse
    else { return 0 }
    // The answer went out before the request ended (413, 431): stop the rest of the upload.
    stream.resetAfterResponse = false
    nghttp2_submit_rst_stream(
        session, UInt8(NGHTTP2_FLAG_NONE.rawValue), header.stream_id,
        UInt32(NGHTTP2_NO_ERROR.rawValue))
    return 0
}
