import CSystem
import Glibc

/// Nonblocking TCP sockets: listening, accepting and connecting, IPv4 and IPv6.
enum Socket {
    /// A parsed `host:port`, `[v6]:port` or `:port`.
    struct Address: Sendable, CustomStringConvertible {
        var host: String
        var port: Int

        /// Parses `text`; nil when it is not `host:port` with a port from 0 to 65535.
        init?(parsing text: String) {
            let host: Substring
            let portText: Substring
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]"),
                    text[text.index(after: close)...].hasPrefix(":")
                else { return nil }
                host = text[text.index(after: text.startIndex)..<close]
                portText = text[text.index(close, offsetBy: 2)...]
            } else {
                guard let colon = text.lastIndex(of: ":") else { return nil }
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard let port = Int(portText), (0...65535).contains(port) else { return nil }
            self.host = host.isEmpty ? "0.0.0.0" : String(host)
            self.port = port
        }

        init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        var description: String {
            host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }

    /// Resolves `address` to a socket address (numeric hosts and names via getaddrinfo).
    static func resolve(
        _ address: Address
    ) throws(TransportError) -> (sockaddr_storage, socklen_t) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &result)
        guard status == 0, let first = result else {
            throw .invalidAddress(address.description)
        }
        defer { freeaddrinfo(result) }
        var storage = sockaddr_storage()
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyMemory(
                from: UnsafeRawBufferPointer(start: first.pointee.ai_addr,
                                             count: Int(first.pointee.ai_addrlen)))
        }
        return (storage, first.pointee.ai_addrlen)
    }

    /// Throws `addressInUse` when another socket (of any process) is bound to `address`.
    ///
    /// SO_REUSEPORT lets every process of the same user share a port, so a second server
    /// started on a port already served would otherwise start quietly and take half the
    /// connections. A plain bind, released at once, tells. Port 0 needs no check.
    static func checkUnused(_ address: Address) throws(TransportError) {
        guard address.port != 0 else { return }
        var (storage, length) = try resolve(address)
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue)
            | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno: errno) }
        defer { close(fd) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        if bound != 0, errno == EADDRINUSE { throw .addressInUse(address.description) }
    }

    /// A nonblocking listening socket bound to `address`, with SO_REUSEPORT so each event
    /// loop can hold its own socket on the same port.
    static func listen(
        _ address: Address, backlog: Int32 = 4096
    ) throws(TransportError) -> Int32 {
        var (storage, length) = try resolve(address)
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue)
            | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno: errno) }
        setOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        setOption(fd, SOL_SOCKET, SO_REUSEPORT, 1)
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let number = errno
            close(fd)
            if number == EADDRINUSE { throw .addressInUse(address.description) }
            throw .system("bind \(address)", errno: number)
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let number = errno
            close(fd)
            throw .system("listen \(address)", errno: number)
        }
        return fd
    }

    /// The port a socket is bound to.
    static func localPort(_ fd: Int32) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: storage) { raw in
            // sin_port and sin6_port sit at the same offset, in network byte order.
            Int(UInt16(raw[2]) << 8 | UInt16(raw[3]))
        }
    }

    /// The peer's address as text, for logs.
    static func peerName(_ fd: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard status == 0 else { return "unknown" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let named = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), &service,
                            socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
            }
        }
        guard named == 0 else { return "unknown" }
        func text(_ characters: [CChar]) -> String {
            String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                   as: UTF8.self)
        }
        let hostText = text(host)
        let serviceText = text(service)
        return hostText.contains(":")
            ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
    }

    /// Starts a nonblocking connect. Returns the socket; completion shows as writability.
    static func connect(_ address: Address) throws(TransportError) -> Int32 {
        var (storage, length) = try resolve(address)
        let fd = socket(Int32(storage.ss_family), Int32(SOCK_STREAM.rawValue)
            | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", errno: errno) }
        setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if status != 0 && errno != EINPROGRESS {
            let number = errno
            close(fd)
            if number == ECONNREFUSED { throw .connectionRefused }
            throw .system("connect \(address)", errno: number)
        }
        return fd
    }

    /// The pending error of a socket (SO_ERROR), 0 when none.
    static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length)
        return value
    }

    static func setOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var value = value
        setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }
}
