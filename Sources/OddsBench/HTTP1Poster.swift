import Glibc

/// A blocking HTTP/1.1 client for peers that speak no HTTP/2 (Pushpin's publish endpoint).
/// Posts a body and reads the whole answer; dials again when the peer closed after it
/// (Pushpin answers every publish with `Connection: close`).
final class HTTP1Poster {
    private var fd: Int32 = -1
    private let port: UInt16
    private var inbox: [UInt8] = []

    init(port: UInt16) throws {
        self.port = port
        try connectSocket()
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    private func connectSocket() throws {
        fd = try LoopbackSocket.connect(port: port, nonblocking: false)
    }

    /// POSTs `body` as JSON to `path`; returns the status code.
    func post(_ path: String, json body: [UInt8]) throws -> Int {
        if fd < 0 {
            try connectSocket()
        }
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Content-Length: \(body.count)\r\n\r\n"
        let request = Array(head.utf8) + body
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes {
                send(fd, $0.baseAddress, $0.count, 0)
            }
            guard written > 0 else { throw BenchError("send to port \(port): errno \(errno)") }
            sent += written
        }
        // The answer: headers, then Content-Length bytes.
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if let end = LoopbackSocket.headEnd(in: inbox) {
                let text = String(decoding: inbox[..<end], as: UTF8.self)
                let length = text.split(separator: "\r\n").first {
                    $0.lowercased().hasPrefix("content-length:")
                }.flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }
                    ?? 0
                if inbox.count >= end + 4 + length {
                    let status = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
                    inbox.removeAll()
                    if text.lowercased().contains("connection: close") {
                        close(fd)
                        fd = -1
                    }
                    return status
                }
            }
            let read = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard read > 0 else { throw BenchError("port \(port) closed the connection") }
            inbox += buffer[0..<read]
        }
    }
}
