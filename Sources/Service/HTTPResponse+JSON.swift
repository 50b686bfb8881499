import JSON
import Transport

extension HTTPResponse {
    /// A JSON document.
    public static func json(_ body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json"], body: body)
    }

    /// A JSON document built by `write`.
    public static func json(status: Int = 200, _ write: (inout JSONWriter) -> Void)
        -> HTTPResponse
    {
        var writer = JSONWriter(capacity: 512)
        write(&writer)
        return json(writer.bytes, status: status)
    }
}
