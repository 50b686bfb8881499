import Testing
@testable import Transport

/// `HTTPHeaders` keeps every field in one copy-on-write buffer: copies must stay independent,
/// growth must keep every field, and names are lowercased and matched in any case.
@Suite struct HTTPHeadersTests {
    private static func text(_ headers: HTTPHeaders) -> [String] {
        headers.map { "\($0.name)=\($0.value)" }
    }

    @Test func namesAreLowercasedAndLookedUpInAnyCase() {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        headers.add("X-Trace", "Abc")
        #expect(Self.text(headers) == ["content-type=application/json", "x-trace=Abc"])
        #expect(headers["CONTENT-type"] == "application/json")
        #expect(headers["x-missing"] == nil)
        #expect(headers.count == 2)
    }

    @Test func aCopyIsIndependentOfTheOriginal() {
        var original: HTTPHeaders = ["a": "1"]
        var copy = original
        copy.add("b", "2")
        original.add("c", "3")
        #expect(Self.text(original) == ["a=1", "c=3"])
        #expect(Self.text(copy) == ["a=1", "b=2"])
        var emptied = copy
        emptied.removeAll()
        #expect(emptied.count == 0)
        #expect(Self.text(copy) == ["a=1", "b=2"])
        emptied.add("d", "4")
        #expect(Self.text(emptied) == ["d=4"])
    }

    @Test func growsPastItsFirstCapacityKeepingEveryField() {
        var headers = HTTPHeaders()
        let long = String(repeating: "v", count: 1000)
        for index in 0..<50 {
            headers.add("field-\(index)", "\(index)-\(long)")
        }
        #expect(headers.count == 50)
        for index in [0, 7, 49] {
            #expect(headers["Field-\(index)"] == "\(index)-\(long)")
        }
        let big = String(repeating: "x", count: 100_000)
        headers.add("big", big)
        #expect(headers["big"] == big)
    }

    @Test func removeAllKeepsMemoryOnlyWhenUnshared() {
        var headers: HTTPHeaders = ["a": "1", "b": "2"]
        headers.removeAll()
        #expect(headers.count == 0)
        #expect(Self.text(headers).isEmpty)
        headers.add("c", "3")
        #expect(Self.text(headers) == ["c=3"])
    }

    @Test func setAndRemoveWorkOnEveryMatchingField() {
        var headers = HTTPHeaders()
        headers.add("a", "1")
        headers.add("B", "2")
        headers.add("a", "3")
        let before = headers
        headers.set("A", "9")
        #expect(Self.text(headers) == ["b=2", "a=9"])
        headers.remove("b")
        #expect(Self.text(headers) == ["a=9"])
        #expect(Self.text(before) == ["a=1", "b=2", "a=3"])
    }

    @Test func emptyNamesAndValuesRoundTrip() {
        var headers = HTTPHeaders()
        headers.add("x-empty", "")
        headers.add(name: UnsafeBufferPointer(start: nil, count: 0),
                    value: UnsafeBufferPointer(start: nil, count: 0))
        #expect(headers.count == 2)
        #expect(headers["x-empty"] == "")
    }
}
