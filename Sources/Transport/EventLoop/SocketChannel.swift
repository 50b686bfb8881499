import CSystem
import Glibc

/// A connected nonblocking socket, plain or TLS. Owned by one event loop.
final class SocketChannel {
    enum IOResult {
        case bytes(Int)
        case wouldBlock
        case closed
        case failed(String)
    }

    let fd: Int32
    var tls: TLSSession?
    private(set) var isClosed = false

    init(fd: Int32, tls: TLSSession? = nil) {
        self.fd = fd
        self.tls = tls
    }

    deinit {
        close()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        if let tls {
            let (count, progress) = tls.read(into: buffer)
            return count > 0 ? .bytes(count) : result(of: progress)
        }
        let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
        if count > 0 { return .bytes(count) }
        if count == 0 { return .closed }
        return errnoResult()
    }

    func write(_ buffer: UnsafeRawBufferPointer) -> IOResult {
        if let tls {
            let (count, progress) = tls.write(buffer)
            return count > 0 ? .bytes(count) : result(of: progress)
        }
        let count = send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
        if count >= 0 { return .bytes(count) }
        return errnoResult()
    }

    /// Whether input is buffered above the socket (decrypted TLS bytes), so a short read does
    /// not mean the socket is drained and epoll would not report the rest.
    var hasBufferedInput: Bool {
        tls?.hasBufferedPlaintext ?? false
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        tls?.shutdown()
        Glibc.close(fd)
    }

    private func result(of progress: TLSSession.Progress) -> IOResult {
        switch progress {
        case .done, .wantRead, .wantWrite: return .wouldBlock
        case .closed: return .closed
        case .failed(let message): return .failed(message)
        }
    }

    private func errnoResult() -> IOResult {
        let number = errno
        if number == EAGAIN || number == EWOULDBLOCK || number == EINTR { return .wouldBlock }
        if number == ECONNRESET || number == EPIPE { return .closed }
        return .failed(String(cString: strerror(number)))
    }
}
