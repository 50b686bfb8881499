import Glibc

/// Byte comparisons and formatting for the request path, done with libc rather than generic
/// sequence algorithms, which cost hundreds of instructions per call on this path.
enum Bytes {
    /// Whether `bytes` hold exactly `expected`: a literal, so comparing takes no reference and
    /// initialises no global.
    @inline(__always)
    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ expected: StaticString) -> Bool {
        guard bytes.count == expected.utf8CodeUnitCount else { return false }
        guard let base = bytes.baseAddress else { return true }
        return memcmp(base, expected.utf8Start, bytes.count) == 0
    }

    /// A literal's bytes, valid for the life of the process.
    @inline(__always)
    static func of(_ literal: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    /// The offset of the first `byte` in `text`'s UTF-8, or nil.
    static func firstOffset(of byte: UInt8, in text: String) -> Int? {
        var text = text
        return text.withUTF8 { bytes -> Int? in
            guard let base = bytes.baseAddress,
                let found = memchr(base, Int32(byte), bytes.count)
            else { return nil }
            return UnsafeRawPointer(found) - UnsafeRawPointer(base)
        }
    }

    /// Decimal digits of a non-negative number, written without making a String.
    static func withDecimal<Result>(
        _ value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var remaining = UInt(max(0, value))
            var start = 20
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            return body(UnsafeBufferPointer(rebasing: buffer[start..<20]))
        }
    }
}
