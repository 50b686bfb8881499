import Glibc

/// A request as a handler sees it: the head and the whole body, already within the limits.
///
/// The request target is kept as the bytes that arrived; `path`, `query` and the router's
/// parameters are read from them on demand, so routing a request makes no String.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The target's bytes: the path, then `?` and the query when there is one.
    let target: [UInt8]
    /// Where the path ends in `target`: at its first `?`, or at its end.
    let pathEnd: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Filled in by the router from the pattern's `:name` segments.
    var parameters = PathParameters()
    /// "h2" or "http/1.1".
    public var protocolName: String

    public init(
        method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], protocolName: String = "h2"
    ) {
        self.init(
            method: method, target: Array(target.utf8), headers: headers, body: body,
            protocolName: protocolName)
    }

    /// A request over target bytes as they arrived.
    init(
        method: HTTPMethod, target: [UInt8], headers: HTTPHeaders, body: [UInt8],
        protocolName: String
    ) {
        self.method = method
        self.target = target
        pathEnd = target.withUnsafeBufferPointer(Self.pathEnd)
        self.headers = headers
        self.body = body
        self.protocolName = protocolName
    }

    /// The path without the query, as sent (percent-encoding left alone).
    public var path: Substring {
        String(decoding: target[..<pathEnd], as: UTF8.self)[...]
    }

    /// The query string after `?`, without it; empty when there is none.
    public var query: Substring {
        guard pathEnd < target.count else { return "" }
        return String(decoding: target[(pathEnd + 1)...], as: UTF8.self)[...]
    }

    /// Where the path ends in a target's bytes: at its first `?`, or at its end.
    static func pathEnd(of target: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = target.baseAddress,
            let mark = memchr(base, Int32(UInt8(ascii: "?")), target.count)
        else { return target.count }
        return UnsafeRawPointer(mark) - UnsafeRawPointer(base)
    }

    /// The path's bytes, for routing.
    func withPathBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        target.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[..<pathEnd])) }
    }

    /// The value of query parameter `name` (first occurrence), percent-decoded, or nil.
    public func queryParameter(_ name: String) -> String? {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts[0] == name {
                return PercentDecoding.decode(parts.count > 1 ? parts[1] : "")
            }
        }
        return nil
    }

    /// The router's `:name` parameter (or `*` for the rest of a path), as sent, or nil.
    public func parameter(_ name: String) -> Substring? {
        guard let range = parameters.range(of: name) else { return nil }
        return String(decoding: target[range], as: UTF8.self)[...]
    }

    /// Calls `body` with the bytes of the router's `:name` parameter and returns its result,
    /// or returns nil when the route has no such parameter. Makes no String: for a parameter
    /// that is a key (an LMDB lookup, say). The bytes are valid only inside `body`.
    public func withParameter<Result>(
        _ name: String, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result? {
        guard let range = parameters.range(of: name) else { return nil }
        return try target.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}

/// Decodes `%XX` and `+` in query values.
enum PercentDecoding {
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue),
                    let low = iterator.next().flatMap(hexValue)
                else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
