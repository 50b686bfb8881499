import CNghttp2

/// nghttp2's callback table for client sessions, made once and shared.
final class HTTP2ClientCallbacks: @unchecked Sendable {
    // @unchecked: the table is filled in once in `init` and only read by nghttp2 afterwards.

    static let shared = HTTP2ClientCallbacks()

    let pointer: OpaquePointer

    private init() {
        var callbacks: OpaquePointer?
        let status = nghttp2_session_callbacks_new(&callbacks)
        precondition(status == 0, "nghttp2 could not allocate its callback table")
        pointer = callbacks!
        nghttp2_session_callbacks_set_on_header_callback(pointer, onResponseHeader)
        nghttp2_session_callbacks_set_on_frame_recv_callback(pointer, onResponseFrame)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(pointer, onResponseData)
        nghttp2_session_callbacks_set_on_stream_close_callback(pointer, onClientStreamClose)
    }

    /// Copies request body bytes into nghttp2's buffer.
    static let readRequestBody: nghttp2_data_source_read_callback = {
        _, _, buffer, length, flags, source, _ in
        guard let raw = source?.pointee.ptr, let buffer, let flags else {
            return Int(NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE.rawValue)
        }
        let stream = Unmanaged<ClientStream>.fromOpaque(raw).takeUnretainedValue()
        let target = UnsafeMutableRawBufferPointer(start: buffer, count: length)
        if let bodyStream = stream.bodyStream {
            return BodySource.read(
                bodyStream, into: target, flags: flags, deferred: &stream.deferred)
        }
        return BodySource.read(
            stream.request.body, offset: &stream.bodyOffset, into: target, flags: flags)
    }
}

@inline(__always)
private func clientStream(_ session: OpaquePointer?, _ streamID: Int32) -> ClientStream? {
    guard let raw = nghttp2_session_get_stream_user_data(session, streamID) else { return nil }
    return Unmanaged<ClientStream>.fromOpaque(raw).takeUnretainedValue()
}

private func onResponseHeader(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ name: UnsafePointer<UInt8>?, _ nameLength: Int, _ value: UnsafePointer<UInt8>?,
    _ valueLength: Int, _ flags: UInt8, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, let name, let value,
        let stream = clientStream(session, frame.pointee.hd.stream_id)
    else { return 0 }
    let nameBytes = UnsafeBufferPointer(start: name, count: nameLength)
    let valueBytes = UnsafeBufferPointer(start: value, count: valueLength)
    if nameBytes.elementsEqual(":status".utf8) {
        stream.status = Int(String(decoding: valueBytes, as: UTF8.self)) ?? 0
    } else if stream.headReported {
        stream.trailers.add(name: nameBytes, value: valueBytes)
    } else {
        stream.headers.add(name: nameBytes, value: valueBytes)
    }
    return 0
}

private func onResponseFrame(
    _ session: OpaquePointer?, _ frame: UnsafePointer<nghttp2_frame>?,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let frame, frame.pointee.hd.type == UInt8(NGHTTP2_HEADERS.rawValue),
        let stream = clientStream(session, frame.pointee.hd.stream_id), !stream.headReported,
        stream.status >= 200
    else { return 0 }
    stream.headReported = true
    stream.handlers.onHead(stream.status, stream.headers)
    return 0
}

private func onResponseData(
    _ session: OpaquePointer?, _ flags: UInt8, _ streamID: Int32, _ data: UnsafePointer<UInt8>?,
    _ length: Int, _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    guard let data, let stream = clientStream(session, streamID), !stream.ended else { return 0 }
    stream.handlers.onData(Array(UnsafeBufferPointer(start: data, count: length)))
    return 0
}

private func onClientStreamClose(
    _ session: OpaquePointer?, _ streamID: Int32, _ errorCode: UInt32,
    _ userData: UnsafeMutableRawPointer?
) -> Int32 {
    let connection = Unmanaged<ClientConnection>.fromOpaque(userData!).takeUnretainedValue()
    connection.streamClosed(streamID, errorCode: errorCode)
    return 0
}
