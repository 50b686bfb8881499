import Testing
import OddsModel

/// The trace id the origin records with each bet, read from the `traceparent` it came with.
@Suite struct TraceContextTests {
    private static let id = "4bf92f3577b34da6a3ce929d0e0e4736"

    @Test func readsTheTraceIDOfAWellFormedHeader() {
        #expect(TraceContext.traceID(ofTraceParent: "00-\(Self.id)-00f067aa0ba902b7-01")
            == Self.id)
    }

    @Test(arguments: [
        nil, "", "garbage", "00-\(id)-00f067aa0ba902b7", "00-\(id)-00f067aa0ba902b7-01-x",
        "00-\(id.uppercased())-00f067aa0ba902b7-01", "00-\(id.dropLast())-00f067aa0ba902b7-01",
        "00-\(id)0-00f067aa0ba902b7-01", "-\(id)-00f067aa0ba902b7-01", "00-\(id)--01",
        "00-\(id)-00f067aa0ba902b7-", "00-\(id.dropLast())g-00f067aa0ba902b7-01",
    ])
    func anythingElseGivesNoTraceID(_ header: String?) {
        #expect(TraceContext.traceID(ofTraceParent: header) == "")
    }

    @Test func idsAreCheckedByteForByte() {
        #expect(Identifier.isValid("market-1.a_B"))
        #expect(Identifier.isValid("market-1.a_B"[...]))
        #expect(!Identifier.isValid(""))
        #expect(!Identifier.isValid("has space"))
        #expect(!Identifier.isValid("é"))
        #expect(!Identifier.isValid(String(repeating: "a", count: Identifier.maxLength + 1)))
        #expect(Identifier.isValid(String(repeating: "a", count: Identifier.maxLength)))
        #expect(BetRequest.isValidIdempotencyKey("key-1!~"))
        #expect(!BetRequest.isValidIdempotencyKey("key 1"))
        #expect(!BetRequest.isValidIdempotencyKey(""))
        #expect(!BetRequest.isValidIdempotencyKey(String(
            repeating: "k", count: BetRequest.maxIdempotencyKeyBytes + 1)))
    }
}
