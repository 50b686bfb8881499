import Glibc

/// What the bench's own HTTP/1.1 clients share: a TCP connection to a loopback port, and
/// finding the end of a response head.
enum LoopbackSocket {
    /// A socket connecting to 127.0.0.1:`port`: nonblocking (the connect in progress), or
    /// blocking and connected.
    static func connect(port: UInt16, nonblocking: Bool, receiveBuffer: Int32? = nil) throws
        -> Int32
    {
        let type = Int32(SOCK_STREAM.rawValue) | (nonblocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw BenchError("socket: errno \(errno) (raise ulimit -n)") }
        if var size = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 || (nonblocking && errno == EINPROGRESS) else {
            let error = errno
            close(fd)
            throw BenchError("connect to port \(port): errno \(error)")
        }
        return fd
    }

    /// Where the blank line ending an HTTP head starts in `bytes`, if it has arrived.
    static func headEnd(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for start in 0...(bytes.count - 4)
        where bytes[start] == 13 && bytes[start + 1] == 10 && bytes[start + 2] == 13
            && bytes[start + 3] == 10
        {
            return start
        }
        return nil
    }
}
