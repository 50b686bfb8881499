/// A complete response: status, headers and body bytes.
///
/// Streaming responses use `Responder.startStream` instead.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a UTF-8 text body and its content type.
    public init(status: Int, contentType: String, text: String) {
        self.init(status: status, headers: ["content-type": contentType], body: Array(text.utf8))
    }

    /// An RFC 9457 problem document: `{"type","title","status","detail"}`.
    public static func problem(
        status: Int, title: String, detail: String? = nil, type: String = "about:blank"
    ) -> HTTPResponse {
        var json = "{\"type\":\(JSONText.quote(type)),\"title\":\(JSONText.quote(title)),"
        json += "\"status\":\(status)"
        if let detail {
            json += ",\"detail\":\(JSONText.quote(detail))"
        }
        json += "}"
        return HTTPResponse(status: status, contentType: "application/problem+json", text: json)
    }
}

/// Minimal JSON string quoting for the transport's own documents.
enum JSONText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
