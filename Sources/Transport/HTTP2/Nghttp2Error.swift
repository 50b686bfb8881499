import CNghttp2

/// Turns nghttp2's negative return codes into text and tells the fatal ones apart.
enum Nghttp2Error {
    /// nghttp2's own description of `code`.
    static func describe(_ code: Int32) -> String {
        String(cString: nghttp2_strerror(code)) + " (\(code))"
    }

    /// Whether `code` means the session can no longer be used (nghttp2_is_fatal).
    static func isFatal(_ code: Int32) -> Bool {
        nghttp2_is_fatal(code) != 0
    }

    /// Returns `result` when it is not negative, or throws it as a transport error.
    @discardableResult
    static func check(_ result: Int32, _ operation: String) throws(TransportError) -> Int32 {
        guard result >= 0 else { throw TransportError.http2(operation, code: result) }
        return result
    }
}
