import Testing
@testable import Transport

@Suite struct HTTP1RequestHeadTests {
    private func parse(_ text: String) throws(HTTP1RequestHead.ParseError) -> HTTP1RequestHead {
        try HTTP1RequestHead.parse(ArraySlice(Array(text.utf8)))
    }

    @Test func parsesRequestLineAndHeaders() throws {
        let head = try parse("GET /v1/markets?x=1 HTTP/1.1\r\nHost: edge\r\nX-Trace:  abc  ")
        #expect(head.method == "GET")
        #expect(head.target == "/v1/markets?x=1")
        #expect(head.minorVersion == 1)
        #expect(head.headers["host"] == "edge")
        #expect(head.headers["x-trace"] == "abc")
        #expect(head.keepAlive)
    }

    @Test func connectionCloseAndHTTP10() throws {
        #expect(try !parse("GET / HTTP/1.1\r\nConnection: close").keepAlive)
        #expect(try !parse("GET / HTTP/1.0").keepAlive)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: keep-alive").keepAlive)
    }

    @Test(arguments: [
        "", "GET /", "GET / HTTP/2.0", "G@T / HTTP/1.1", "GET / HTTP/1.1\r\nNoColon",
        "GET / HTTP/1.1\r\nBad Name: x", "GET /a\u{7f} HTTP/1.1", "GET  / HTTP/1.1",
        "GET / HTTP/1.1\r\nX: a\u{01}b",
    ])
    func rejectsMalformedHeads(_ text: String) {
        #expect(throws: HTTP1RequestHead.ParseError.self) { try parse(text) }
    }

    @Test func findsEndOfHead() {
        #expect(HTTP1ServerSession.endOfHead(in: Array("GET / HTTP/1.1\r\n\r\nrest".utf8)) == 14)
        #expect(HTTP1ServerSession.endOfHead(in: Array("GET / HTTP/1.1\r\n".utf8)) == nil)
    }
}
