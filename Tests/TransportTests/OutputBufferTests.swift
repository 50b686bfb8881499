import Testing
@testable import Transport

/// The connection's output buffer: bytes come out in the order they went in, whatever mix of
/// appends, partial writes and growth happened in between.
@Suite struct OutputBufferTests {
    private static func readable(_ buffer: borrowing OutputBuffer) -> [UInt8] {
        buffer.withReadableBytes { Array($0) }
    }

    /// (#expect cannot take a noncopyable value, even to call a function with it.)
    private static func isEmpty(_ buffer: borrowing OutputBuffer) -> Bool {
        buffer.isEmpty && buffer.count == 0
    }

    @Test func partialConsumesKeepTheRestInOrder() {
        var buffer = OutputBuffer()
        let emptyAtFirst = Self.isEmpty(buffer)
        #expect(emptyAtFirst)
        buffer.append(Array("hello ".utf8))
        buffer.append("world")
        #expect(Self.readable(buffer).count == 11)
        buffer.consume(6)
        #expect(Self.readable(buffer) == Array("world".utf8))
        buffer.consume(5)
        let empty = Self.isEmpty(buffer)
        #expect(empty)
        buffer.append("again")
        #expect(Self.readable(buffer) == Array("again".utf8))
    }

    @Test func growsAndCompactsWithoutLosingBytes() {
        var buffer = OutputBuffer()
        var expected: [UInt8] = []
        var next: UInt8 = 0
        // Appends outpace consumes, then the buffer drains: it has to move unread bytes to the
        // front and to grow several times on the way.
        for round in 0..<200 {
            let chunk = (0..<(997 + round)).map { _ in
                next &+= 1
                return next
            }
            buffer.append(chunk)
            expected += chunk
            let taken = min(buffer.count, 700)
            #expect(Self.readable(buffer).prefix(taken) == expected.prefix(taken)[...])
            buffer.consume(taken)
            expected.removeFirst(taken)
        }
        #expect(Self.readable(buffer) == expected)
        buffer.consume(buffer.count)
        let empty = Self.isEmpty(buffer)
        #expect(empty)
    }

    @Test func aHugeBufferStartsSmallAgainOnceEmptied() {
        var buffer = OutputBuffer()
        let huge = [UInt8](repeating: 7, count: 3 << 20)
        buffer.append(huge)
        #expect(Self.readable(buffer).count == huge.count)
        buffer.consume(huge.count)
        let empty = Self.isEmpty(buffer)
        #expect(empty)
        buffer.append("small")
        #expect(Self.readable(buffer) == Array("small".utf8))
    }
}
