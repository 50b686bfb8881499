import CNghttp2

/// Where the bytes of a DATA frame come from, for nghttp2's data provider callbacks on both
/// sides: a whole body in memory, or a `BodyStream` still being written.
enum BodySource {
    /// Copies the next bytes of `stream` into `target`. Returns the count, with the end flag
    /// set in `flags` when the body has ended, or NGHTTP2_ERR_DEFERRED (and sets `deferred`)
    /// when nothing is queued yet: the session resumes the stream when its producer writes.
    static func read(
        _ stream: BodyStream, into target: UnsafeMutableRawBufferPointer,
        flags: UnsafeMutablePointer<UInt32>, deferred: inout Bool
    ) -> Int {
        let (count, ended) = stream.read(into: target)
        if ended {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
        } else if count == 0 {
            deferred = true
            return Int(NGHTTP2_ERR_DEFERRED.rawValue)
        }
        return count
    }

    /// Copies the next bytes of `body` from `offset` into `target` and advances `offset`,
    /// setting the end flag in `flags` with the last of them. Returns the count.
    static func read(
        _ body: [UInt8], offset: inout Int, into target: UnsafeMutableRawBufferPointer,
        flags: UnsafeMutablePointer<UInt32>
    ) -> Int {
        let count = min(target.count, body.count - offset)
        if count > 0 {
            body.withUnsafeBytes { bytes in
                target.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            }
        }
        offset += count
        if offset == body.count {
            flags.pointee |= UInt32(NGHTTP2_DATA_FLAG_EOF.rawValue)
        }
        return count
    }

    /// Moves what nghttp2 has to send into `buffer`, until it has nothing more or `buffer`
    /// holds `limit` bytes. Returns nghttp2's error code when sending failed, else nil.
    static func drainOutput(
        of session: OpaquePointer, into buffer: inout OutputBuffer, limit: Int
    ) -> Int32? {
        while buffer.count < limit {
            var data: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &data)
            if count < 0 { return Int32(count) }
            guard count > 0, let data else { return nil }
            buffer.append(UnsafeRawBufferPointer(start: data, count: count))
        }
        return nil
    }
}
