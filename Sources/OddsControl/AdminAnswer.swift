import JSON
import Transport

/// A successful (2xx) answer of the admin API.
struct AdminAnswer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    /// The JSON document exactly as received.
    let body: [UInt8]

    /// The global sequence number of the change, from `x-odds-sequence`; nil on reads.
    var sequence: String? {
        headers["x-odds-sequence"]
    }

    /// The body parsed.
    ///
    /// - Throws: `ControlFailure.badAnswer` when the body is not JSON.
    func document(from origin: OriginURL) throws(ControlFailure) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw .badAnswer(origin, "the body is not JSON (\(error))")
        }
    }
}
