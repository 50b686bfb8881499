import Foundation
import CSystem
import Glibc
import Locks
import OddsClient
import OddsModel

/// Many Server-Sent Events clients at once, each on its own TCP connection over HTTP/1.1,
/// read by a few epoll threads: the load of a crowd of browsers, at the cost of a few
/// hundred bytes each. Bodies are read as a browser would (chunked or not, then the
/// standard SSE parser); for every event it reports the last event id and the moment it
/// arrived, and keeps nothing else.
final class SSEClientPool: @unchecked Sendable {
    // @unchecked: each connection is touched only by the thread that owns its epoll set;
    // `counters` is atomic-free but behind its lock.

    struct Target: Sendable {
        var port: UInt16
        /// Path and query, e.g. `/v1/stream?markets=m1`.
        var path: String
    }

    private final class Connection {
        let fd: Int32
        let request: [UInt8]
        let target: Target
        var attempt = 1
        var sent = 0
        var headerDone = false
        var header: [UInt8] = []
        var chunked = false
        /// Chunked decoding: bytes left in the current chunk; -1 while reading a size line.
        var chunkLeft = -1
        var sizeLine: [UInt8] = []
        var skipCRLF = 0
        var parser = ServerSentEventParser()
        var events = 0

        init(fd: Int32, request: [UInt8], target: Target) {
            self.fd = fd
            self.request = request
            self.target = target
        }
    }

    private let onEvent: @Sendable (_ id: String, _ arrivedMicros: Int64) -> Void
    private var epolls: [Int32] = []
    private var threads: [Thread] = []
    /// One per thread: that thread's connections by descriptor.
    private final class Shard {
        var connections: [Int32: Connection] = [:]
        /// Opened by other threads, taken in by the shard's thread at its next turn.
        let pending = Lock<[Connection]>([])
    }

    private var shards: [Shard] = []
    private let counters = Lock((connected: 0, withEvent: 0, failed: 0))
    private let running = Lock(true)

    /// `onEvent` runs on the pool's threads, once per event that carries data.
    init(threads: Int, onEvent: @escaping @Sendable (String, Int64) -> Void) {
        self.onEvent = onEvent
        for _ in 0..<max(1, threads) {
            epolls.append(epoll_create1(Int32(EPOLL_CLOEXEC)))
            shards.append(Shard())
        }
    }

    /// Connections open, connections that have had their first event, and failures.
    var progress: (connected: Int, withEvent: Int, failed: Int) {
        counters.withLock { $0 }
    }

    /// Opens one client per target, spread over the threads. Any time, from any thread.
    func open(_ targets: [Target]) throws {
        for (index, target) in targets.enumerated() {
            let shard = (opened + index) % epolls.count
            let connection = try dial(target)
            shards[shard].pending.withLock { $0.append(connection) }
        }
        opened += targets.count
    }

    /// A client that failed before its first event dials again, as a browser's EventSource
    /// would, a few times.
    static let maxAttempts = 5

    private func dial(_ target: Target) throws -> Connection {
        let fd = try LoopbackSocket.connect(
            port: target.port, nonblocking: true, receiveBuffer: 32 * 1024)
        let request = Array(("GET \(target.path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Accept: text/event-stream\r\n\r\n").utf8)
        return Connection(fd: fd, request: request, target: target)
    }

    private var opened = 0

    /// Takes in the connections opened for `shard` since its last turn.
    private func adopt(_ shard: Int) {
        for connection in shards[shard].pending.withLock({ pending in
            defer { pending.removeAll() }
            return pending
        }) {
            shards[shard].connections[connection.fd] = connection
            var event = epoll_event()
            event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue
            event.data.fd = connection.fd
            epoll_ctl(epolls[shard], EPOLL_CTL_ADD, connection.fd, &event)
        }
    }

    func start() {
        for shard in 0..<epolls.count {
            let thread = Thread { [self] in run(shard) }
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
    }

    /// Stops reading and closes every connection.
    func stop() {
        running.withLock { $0 = false }
        while threads.contains(where: { !$0.isFinished }) {
            usleep(10_000)
        }
        for shard in shards {
            for fd in shard.connections.keys {
                close(fd)
            }
        }
        for epoll in epolls {
            close(epoll)
        }
    }

    private func run(_ shard: Int) {
        let epoll = epolls[shard]
        var events = [epoll_event](repeating: epoll_event(), count: 512)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while running.withLock({ $0 }) {
            adopt(shard)
            let count = epoll_wait(epoll, &events, Int32(events.count), 20)
            guard count > 0 else { continue }
            let now = WallClock.micros()
            for index in 0..<Int(count) {
                let fd = events[index].data.fd
                guard let connection = shards[shard].connections[fd] else { continue }
                if events[index].events & EPOLLOUT.rawValue != 0 {
                    write(connection, epoll)
                }
                if events[index].events & (EPOLLIN.rawValue | EPOLLHUP.rawValue) != 0 {
                    read(connection, shards[shard], &buffer, now)
                }
            }
        }
    }

    private func write(_ connection: Connection, _ epoll: Int32) {
        while connection.sent < connection.request.count {
            let written = connection.request[connection.sent...].withUnsafeBytes {
                Glibc.write(connection.fd, $0.baseAddress, $0.count)
            }
            guard written > 0 else { return }
            connection.sent += written
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = connection.fd
        epoll_ctl(epoll, EPOLL_CTL_MOD, connection.fd, &event)
        counters.withLock { $0.connected += 1 }
    }

    private func read(
        _ connection: Connection, _ shard: Shard, _ buffer: inout [UInt8], _ now: Int64
    ) {
        while true {
            let read = buffer.withUnsafeMutableBytes {
                Glibc.read(connection.fd, $0.baseAddress, $0.count)
            }
            if read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                close(connection.fd)
                shard.connections[connection.fd] = nil
                if connection.events == 0, connection.attempt < Self.maxAttempts,
                    let again = try? dial(connection.target)
                {
                    again.attempt = connection.attempt + 1
                    shard.pending.withLock { $0.append(again) }
                } else {
                    counters.withLock { $0.failed += 1 }
                }
                return
            }
            guard read > 0 else { return }
            consume(connection, buffer[0..<read], now)
        }
    }

    private func consume(_ connection: Connection, _ bytes: ArraySlice<UInt8>, _ now: Int64) {
        var body = bytes
        if !connection.headerDone {
            connection.header.append(contentsOf: bytes)
            guard let end = LoopbackSocket.headEnd(in: connection.header) else { return }
            let head = String(decoding: connection.header[..<end], as: UTF8.self).lowercased()
            connection.chunked = head.contains("transfer-encoding: chunked")
            connection.headerDone = true
            body = connection.header[(end + 4)...]
            connection.header = []
        }
        guard connection.chunked else {
            sse(connection, body, now)
            return
        }
        var index = body.startIndex
        while index < body.endIndex {
            if connection.skipCRLF > 0 {
                connection.skipCRLF -= 1
                index += 1
            } else if connection.chunkLeft < 0 {
                let byte = body[index]
                index += 1
                if byte == 10 {
                    let text = String(decoding: connection.sizeLine, as: UTF8.self)
                        .trimmingCharacters(in: .whitespacesAndNewlines)
                    let size = text.split(separator: ";").first ?? ""
                    connection.chunkLeft = Int(size, radix: 16) ?? 0
                    connection.sizeLine = []
                } else {
                    connection.sizeLine.append(byte)
                }
            } else {
                let take = min(connection.chunkLeft, body.endIndex - index)
                sse(connection, body[index..<(index + take)], now)
                index += take
                connection.chunkLeft -= take
                if connection.chunkLeft == 0 {
                    connection.chunkLeft = -1
                    connection.skipCRLF = 2
                }
            }
        }
    }

    private func sse(_ connection: Connection, _ bytes: ArraySlice<UInt8>, _ now: Int64) {
        for event in connection.parser.feed(bytes) {
            if connection.events == 0 {
                counters.withLock { $0.withEvent += 1 }
            }
            connection.events += 1
            onEvent(event.lastEventID, now)
        }
    }
}
