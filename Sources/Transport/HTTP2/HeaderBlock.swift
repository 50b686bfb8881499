import CNghttp2

/// Builds the `nghttp2_nv` array of a header block in stack memory, names lowercased and
/// connection-specific fields dropped, and calls a body with it. This runs for every response,
/// so it allocates nothing on the heap.
enum HeaderBlock {
    /// A response head: `:status`, the handler's headers and, when given, `content-length`
    /// (any `content-length` among the headers is replaced by it). The handler's fields are
    /// pointed at where they lie, already lowercased; only the status and length are copied.
    static func withResponse<Result>(
        status: Int, headers: HTTPHeaders, contentLength: Int?,
        _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: headers.count + 2) {
            entries in
            Bytes.withDecimal(status) { status in
                Bytes.withDecimal(contentLength ?? 0) { length in
                    var count = 0
                    func add(
                        _ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>
                    ) {
                        entries[count] = nghttp2_nv(
                            name: UnsafeMutablePointer(mutating: name.baseAddress),
                            value: UnsafeMutablePointer(mutating: value.baseAddress),
                            namelen: name.count, valuelen: value.count,
                            flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
                        count += 1
                    }
                    Names.status.withUnsafeBufferPointer { add($0, status) }
                    headers.forEachRaw { name, value in
                        if isConnectionSpecific(name) { return }
                        if contentLength != nil && Bytes.equal(name, Names.contentLength) {
                            return
                        }
                        add(name, value)
                    }
                    if contentLength != nil {
                        Names.contentLength.withUnsafeBufferPointer { add($0, length) }
                    }
                    return body(entries.baseAddress!, count)
                }
            }
        }
    }

    /// Names the session adds itself.
    private enum Names {
        static let status = Array(":status".utf8)
        static let contentLength = Array("content-length".utf8)
    }

    /// Whether a lowercased field name belongs to one HTTP/1.1 connection and is forbidden in
    /// HTTP/2 (RFC 9113, section 8.2.2).
    static func isConnectionSpecific(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        switch name.count {
        case 7, 10, 16, 17:
            let text = String(decoding: name, as: UTF8.self)
            return text == "upgrade" || text == "connection" || text == "keep-alive"
                || text == "proxy-connection" || text == "transfer-encoding"
        default:
            return false
        }
    }

    /// Any list of fields (pseudo-headers first), for requests.
    static func withNameValues<Result>(
        _ fields: [(String, String)], _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        withFields(
            count: fields.count,
            bytes: fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count },
            fill: { builder in
                for (name, value) in fields {
                    builder.add(name, value)
                }
            }, body)
    }

    /// Whether `name` is `content-length` in any case.
    static func equalsContentLength(_ name: String) -> Bool {
        HTTPHeaders.equalNames(name, "content-length")
    }

    /// Fills `nghttp2_nv` entries that point into one byte buffer.
    struct Builder {
        let bytes: UnsafeMutablePointer<UInt8>
        let entries: UnsafeMutablePointer<nghttp2_nv>
        var used = 0
        var count = 0

        mutating func add(_ name: String, _ value: String) {
            if !name.hasPrefix(":") && HeaderBlock.isConnectionSpecific(name) { return }
            let nameStart = used
            for byte in name.utf8 {
                bytes[used] = HTTPHeaders.asciiLower(byte)
                used += 1
            }
            let valueStart = used
            for byte in value.utf8 {
                bytes[used] = byte
                used += 1
            }
            entries[count] = nghttp2_nv(
                name: bytes + nameStart, value: bytes + valueStart,
                namelen: valueStart - nameStart, valuelen: used - valueStart,
                flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            count += 1
        }
    }

    private static func withFields<Result>(
        count: Int, bytes: Int, fill: (inout Builder) -> Void,
        _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, bytes)) { storage in
            withUnsafeTemporaryAllocation(of: nghttp2_nv.self, capacity: max(1, count)) { nv in
                var builder = Builder(bytes: storage.baseAddress!, entries: nv.baseAddress!)
                fill(&builder)
                return body(nv.baseAddress!, builder.count)
            }
        }
    }

    /// Fields that belong to one HTTP/1.1 connection and are forbidden in HTTP/2
    /// (RFC 9113, section 8.2.2). Checked by length first: this runs for every field.
    static func isConnectionSpecific(_ name: String) -> Bool {
        switch name.utf8.count {
        case 7: return HTTPHeaders.equalNames(name, "upgrade")
        case 10:
            return HTTPHeaders.equalNames(name, "connection")
                || HTTPHeaders.equalNames(name, "keep-alive")
        case 16: return HTTPHeaders.equalNames(name, "proxy-connection")
        case 17: return HTTPHeaders.equalNames(name, "transfer-encoding")
        default: return false
        }
    }
}
