/// A request as a handler sees it: the head and the whole body, already within the limits.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The path without the query, as sent (percent-encoding left alone).
    public var path: Substring
    /// The query string after `?`, without it; empty when there is none.
    public var query: Substring
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Filled in by the router from the pattern's `:name` segments.
    public var pathParameters = PathParameters()
    /// "h2" or "http/1.1".
    public var protocolName: String

    public init(
        method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(),
        body: [UInt8] = [], protocolName: String = "h2"
    ) {
        self.method = method
        (path, query) = Self.split(target: target)
        self.headers = headers
        self.body = body
        self.protocolName = protocolName
    }

    /// A request whose target was split already.
    init(
        method: HTTPMethod, path: Substring, query: Substring, headers: HTTPHeaders,
        body: [UInt8], protocolName: String
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.protocolName = protocolName
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

    /// Splits a request target at its first `?` into path and query (without the `?`).
    public static func split(target: String) -> (path: Substring, query: Substring) {
        // memchr over the UTF-8 bytes; searching the String would walk graphemes.
        guard let offset = Bytes.firstOffset(of: UInt8(ascii: "?"), in: target) else {
            return (target[...], "")
        }
        let mark = target.utf8.index(target.utf8.startIndex, offsetBy: offset)
        return (target[..<mark], target[target.utf8.index(after: mark)...])
    }

    /// The router's `:name` parameter, or nil.
    public func parameter(_ name: String) -> Substring? {
        pathParameters[name]
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
