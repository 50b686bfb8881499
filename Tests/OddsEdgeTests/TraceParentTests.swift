import Testing
@testable import OddsEdge

/// The trace context the edge gives a bet that arrives without one.
@Suite struct TraceParentTests {
    @Test func isWellFormedAndNeverRepeats() {
        var seen = Set<String>()
        for _ in 0..<10_000 {
            let header = TraceParent.make()
            #expect(header.wholeMatch(of: /00-[0-9a-f]{32}-[0-9a-f]{16}-01/) != nil, "\(header)")
            let parts = header.split(separator: "-")
            #expect(parts[1] != String(repeating: "0", count: 32))
            #expect(parts[2] != String(repeating: "0", count: 16))
            seen.insert(header)
        }
        #expect(seen.count == 10_000)
    }
}
