/// A parsed HTTP/1.1 request line and header block.
struct HTTP1RequestHead {
    var method: String
    var target: String
    var minorVersion: Int
    var headers: HTTPHeaders

    enum ParseError: Error, Equatable {
        /// The head is malformed: 400.
        case malformed(String)
    }

    /// Parses the bytes of a head, without its final empty line.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(ParseError) -> HTTP1RequestHead {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { line in line.last == UInt8(ascii: "\r") ? line.dropLast() : line }
        guard !lines.isEmpty else { throw .malformed("empty request") }
        let requestLine = lines.removeFirst()
        let parts = requestLine.split(
            separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
            parts[0].allSatisfy(isTokenByte)
        else { throw .malformed("bad request line") }
        let version = String(decoding: parts[2], as: UTF8.self)
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default: throw .malformed("unsupported version \(version)")
        }
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw .malformed("bad request target")
        }

        var headers = HTTPHeaders()
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex
            else { throw .malformed("bad header line") }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(isTokenByte) else { throw .malformed("bad header name") }
            let value = line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7f) }) else {
                throw .malformed("bad header value")
            }
            var trimmed = value
            while let last = trimmed.last, last == 0x20 || last == 0x09 {
                trimmed = trimmed.dropLast()
            }
            headers.add(
                String(decoding: name, as: UTF8.self), String(decoding: trimmed, as: UTF8.self))
        }
        return HTTP1RequestHead(
            method: String(decoding: parts[0], as: UTF8.self),
            target: String(decoding: parts[1], as: UTF8.self), minorVersion: minor,
            headers: headers)
    }

    /// Whether the connection stays open after this request's response.
    var keepAlive: Bool {
        let connection = headers["connection"]?.lowercased() ?? ""
        if minorVersion == 0 { return connection.contains("keep-alive") }
        return !connection.contains("close")
    }

    /// RFC 9110 token characters.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
