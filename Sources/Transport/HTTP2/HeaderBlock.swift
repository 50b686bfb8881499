import CNghttp2

/// Builds the `nghttp2_nv` array of a header block in stack memory and calls a body with it.
/// Fields are pointed at where they lie in `HTTPHeaders` (already lowercased), and
/// connection-specific ones are dropped. This runs for every request and response, so it
/// allocates nothing on the heap.
enum HeaderBlock {
    /// A response head: `:status`, the handler's headers and, when given, `content-length`
    /// (any `content-length` among the headers is replaced by it). Only the status and the
    /// length are formatted; the handler's fields are not copied.
    @inline(__always)
    static func withResponse<Result>(
        status: Int, headers: HTTPHeaders, contentLength: Int?,
        _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        Bytes.withDecimal(status) { status in
            Bytes.withDecimal(contentLength ?? 0) { length in
                withEntries(capacity: headers.count + 2) { add in
                    add(Bytes.of(":status"), status, .automatic)
                    headers.forEachRaw { name, value, indexing in
                        if contentLength != nil && Bytes.equal(name, "content-length") {
                            return
                        }
                        add(name, value, indexing)
                    }
                    if contentLength != nil {
                        add(Bytes.of("content-length"), length, .automatic)
                    }
                } body: { entries, count in
                    body(entries, count)
                }
            }
        }
    }

    /// Every field of `headers`, in order (a request puts its pseudo-headers first).
    static func with<Result>(
        _ headers: HTTPHeaders, _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        withEntries(capacity: headers.count) { add in
            headers.forEachRaw(add)
        } body: { entries, count in
            body(entries, count)
        }
    }

    /// Fills up to `capacity` entries through the `add` function given to `fill`, then calls
    /// `body` with them. `add` skips connection-specific fields.
    @inline(__always)
    private static func withEntries<Result>(
        capacity: Int,
        fill: ((UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, HeaderIndexing) -> Void)
            -> Void,
        body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(1, capacity)) {
            entries in
            var count = 0
            fill { name, value, indexing in
                guard !isConnectionSpecific(name) else { return }
                entries[count] = nghttp2_nv(
                    name: UnsafeMutablePointer(mutating: name.baseAddress),
                    value: UnsafeMutablePointer(mutating: value.baseAddress),
                    namelen: name.count, valuelen: value.count,
                    flags: indexing == .never
                        ? UInt8(NGHTTP2_NV_FLAG_NO_INDEX.rawValue)
                        : UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
                count += 1
            }
            return body(entries.baseAddress!, count)
        }
    }

    /// Whether a lowercased field name belongs to one HTTP/1.1 connection and is forbidden in
    /// HTTP/2 (RFC 9113, section 8.2.2). Checked by length, then bytes: this runs for every
    /// field, so it makes no String.
    static func isConnectionSpecific(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch name.count {
        case 7: return Bytes.equal(name, "upgrade")
        case 10: return Bytes.equal(name, "connection") || Bytes.equal(name, "keep-alive")
        case 16: return Bytes.equal(name, "proxy-connection")
        case 17: return Bytes.equal(name, "transfer-encoding")
        default: return false
        }
    }

    /// Whether `name` is `content-length` in any case.
    static func equalsContentLength(_ name: String) -> Bool {
        HTTPHeaders.equalNames(name, "content-length")
    }
}
