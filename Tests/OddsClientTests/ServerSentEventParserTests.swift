import OddsClient
import Testing

@Suite struct ServerSentEventParserTests {
    @Test func eventsSplitAcrossPiecesAndLineEndingsComeOutWhole() {
        let body = "retry: 1500\n\n: heartbeat\n\n"
            + "id: a-1\r\nevent: market\r\ndata: {\"x\":1}\r\n\r\n"
            + "data: one\rdata: two\r\rid: a-2\nevent: snapshot\ndata:no space\n\n"
        // Every split point: the parser must not depend on how the bytes arrive.
        let bytes = Array(body.utf8)
        for cut in 0...bytes.count {
            var parser = ServerSentEventParser()
            let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(events == [
                ServerSentEventMessage(event: "market", data: "{\"x\":1}", lastEventID: "a-1"),
                ServerSentEventMessage(event: "message", data: "one\ntwo", lastEventID: "a-1"),
                ServerSentEventMessage(event: "snapshot", data: "no space", lastEventID: "a-2"),
            ], "cut at \(cut)")
            #expect(parser.retryMilliseconds == 1500)
            #expect(parser.comments == 1)
            #expect(parser.lastEventID == "a-2")
        }
    }

    @Test func anEventWithoutDataIsNotDispatchedButItsIdStays() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("id: 7\nevent: x\n\n".utf8)).isEmpty)
        #expect(parser.lastEventID == "7")
        let next = parser.feed(Array("data: y\n\n".utf8))
        #expect(next == [ServerSentEventMessage(event: "message", data: "y", lastEventID: "7")])
    }

    @Test func badRetryValuesAndUnknownFieldsAreIgnored() {
        var parser = ServerSentEventParser()
        let events = parser.feed(Array("retry: 12a\nfoo: bar\nretry\ndata\n\n".utf8))
        #expect(parser.retryMilliseconds == nil)
        #expect(events == [ServerSentEventMessage(event: "message", data: "", lastEventID: "")])
    }
}
