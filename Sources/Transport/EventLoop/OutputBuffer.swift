import Glibc

/// Bytes waiting to be written to a socket, appended at the back and consumed at the front.
///
/// Plain memory of its own (one per connection, never copied), so an append is a `memcpy`:
/// every response passes through here twice or more (headers, then data frames).
struct OutputBuffer: ~Copyable {
    private static let initialCapacity = 16 * 1024
    /// Past this, an emptied buffer gives its memory back and starts small again.
    private static let keptCapacity = 1 << 20

    private var base: UnsafeMutableRawPointer
    private var capacity: Int
    private var readIndex = 0
    private var writeIndex = 0

    init() {
        capacity = Self.initialCapacity
        base = Self.allocate(capacity)
    }

    deinit {
        free(base)
    }

    var count: Int {
        writeIndex - readIndex
    }

    var isEmpty: Bool {
        readIndex == writeIndex
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        memcpy(base + writeIndex, source, bytes.count)
        writeIndex += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Calls `body` with the unwritten bytes.
    func withReadableBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        body(UnsafeRawBufferPointer(start: base + readIndex, count: count))
    }

    /// Drops `count` written bytes from the front.
    mutating func consume(_ count: Int) {
        readIndex += count
        guard readIndex == writeIndex else { return }
        readIndex = 0
        writeIndex = 0
        if capacity > Self.keptCapacity {
            free(base)
            capacity = Self.initialCapacity
            base = Self.allocate(capacity)
        }
    }

    /// Room for `extra` more bytes at the back: the unread bytes move to the front first,
    /// and the memory doubles only when that is not enough.
    private mutating func reserve(_ extra: Int) {
        guard writeIndex + extra > capacity else { return }
        if readIndex > 0 {
            memmove(base, base + readIndex, count)
            writeIndex -= readIndex
            readIndex = 0
            if writeIndex + extra <= capacity { return }
        }
        let grown = max(capacity * 2, writeIndex + extra)
        guard let moved = realloc(base, grown) else {
            fatalError("out of memory growing an output buffer to \(grown) bytes")
        }
        base = moved
        capacity = grown
    }

    private static func allocate(_ capacity: Int) -> UnsafeMutableRawPointer {
        guard let memory = malloc(capacity) else {
            fatalError("out of memory for an output buffer of \(capacity) bytes")
        }
        return memory
    }
}
