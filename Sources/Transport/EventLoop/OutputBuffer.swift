/// Bytes waiting to be written to a socket, appended at the back and consumed at the front.
struct OutputBuffer {
    private var storage: [UInt8] = []
    private var readIndex = 0

    init() {
        storage.reserveCapacity(16 * 1024)
    }

    var count: Int {
        storage.count - readIndex
    }

    var isEmpty: Bool {
        readIndex == storage.count
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ text: String) {
        storage.append(contentsOf: text.utf8)
    }

    /// Calls `body` with the unwritten bytes.
    func withReadableBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        storage.withUnsafeBytes { raw in
            body(UnsafeRawBufferPointer(rebasing: raw[readIndex...]))
        }
    }

    /// Drops `count` written bytes from the front.
    mutating func consume(_ count: Int) {
        readIndex += count
        if readIndex == storage.count {
            storage.removeAll(keepingCapacity: storage.capacity <= 1 << 20)
            readIndex = 0
        } else if readIndex > 64 * 1024 && readIndex > storage.count / 2 {
            storage.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
