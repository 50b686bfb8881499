import CNghttp2

/// Builds an `nghttp2_nv` array from header fields, with every name lowercased, and calls a
/// body with it while the bytes are alive.
enum HeaderBlock {
    /// Headers that belong to a connection in HTTP/1.1 and are forbidden in HTTP/2.
    static let connectionSpecific: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    ]

    static func withNameValues<Result>(
        _ fields: [(String, String)], _ body: (UnsafeMutablePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        var bytes: [UInt8] = []
        var spans: [(Int, Int, Int, Int)] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count })
        spans.reserveCapacity(fields.count)
        for (name, value) in fields {
            let lowered = name.utf8.map(HTTPHeaders.asciiLower)
            if !name.hasPrefix(":"), connectionSpecific.contains(String(decoding: lowered,
                                                                         as: UTF8.self)) {
                continue
            }
            let nameStart = bytes.count
            bytes.append(contentsOf: lowered)
            let valueStart = bytes.count
            bytes.append(contentsOf: value.utf8)
            spans.append((nameStart, lowered.count, valueStart, value.utf8.count))
        }
        if spans.isEmpty {
            var none = nghttp2_nv()
            return withUnsafeMutablePointer(to: &none) { body($0, 0) }
        }
        return bytes.withUnsafeMutableBufferPointer { raw in
            let base = raw.baseAddress!
            var values = spans.map { span in
                nghttp2_nv(
                    name: base + span.0, value: base + span.2, namelen: span.1,
                    valuelen: span.3, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return values.withUnsafeMutableBufferPointer { nv in
                body(nv.baseAddress!, nv.count)
            }
        }
    }
}

extension HeaderBlock {
    /// Whether `name` is `content-length` in any case; the session sets that one itself.
    static func equalsContentLength(_ name: String) -> Bool {
        HTTPHeaders.equalNames(name, "content-length")
    }
}
