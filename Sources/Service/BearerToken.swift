import Transport

/// Checks `Authorization: Bearer TOKEN` without leaking, through timing, how much of a wrong
/// token was right.
public struct BearerToken: Sendable {
    private let expected: [UInt8]

    public init(_ token: String) {
        expected = Array("Bearer \(token)".utf8)
    }

    /// Whether `headers` carry the token.
    public func admits(_ headers: HTTPHeaders) -> Bool {
        guard let value = headers["authorization"] else { return false }
        let given = Array(value.utf8)
        var difference = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
        }
        return difference == 0
    }

    /// The 401 a request without the right token gets.
    public static let refusal: HTTPResponse = {
        var response = HTTPResponse.problem(
            status: 401, title: "Unauthorized",
            detail: "a valid bearer token is required in the Authorization header")
        response.headers.add("www-authenticate", "Bearer")
        return response
    }()
}
