import CSystem
import Glibc
import Telemetry

/// A listening socket on one event loop, accepting into that loop's connections.
final class Listener: EventLoopSelectable {
    let fd: Int32
    private let tls: TLSContext?
    private let connections: LoopConnections
    private var closed = false
    /// A descriptor held in reserve: when the process runs out, it is given up to accept and
    /// at once close the waiting connection, so level-triggered epoll does not spin on it.
    private var spareFD: Int32
    private var lastExhaustionLog: UInt64 = 0
    private static let exhaustionLogInterval: UInt64 = 10_000_000_000

    init(fd: Int32, tls: TLSContext?, connections: LoopConnections) {
        self.fd = fd
        self.tls = tls
        self.connections = connections
        spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        if spareFD >= 0 {
            Glibc.close(spareFD)
        }
    }

    func start() throws(TransportError) {
        try connections.loop.register(fd: fd, events: EPOLLIN.rawValue, handler: self)
    }

    func handleEvents(_ events: UInt32) {
        // Accept a bounded batch, so one flood of connections cannot starve the loop.
        for _ in 0..<64 {
            guard !closed else { return }
            let client = oddsnet_accept(fd)
            if client < 0 {
                let number = errno
                if number == EMFILE || number == ENFILE {
                    shedOneConnection(errno: number)
                }
                return
            }
            connections.context.metrics.connectionsAccepted.increment()
            do {
                _ = try ServerConnection(fd: client, tls: tls, owner: connections)
            } catch {
                Glibc.close(client)
                connections.context.logger.warning(
                    "connection.setup.failed", ["error": "\(error)"])
            }
        }
    }

    private func shedOneConnection(errno number: Int32) {
        connections.context.metrics.connectionsShed.increment()
        let now = MonotonicClock.now()
        if now &- lastExhaustionLog > Self.exhaustionLogInterval {
            lastExhaustionLog = now
            connections.context.logger.error(
                "listener.descriptors.exhausted",
                ["error": .string(String(cString: strerror(number))),
                 "action": "closing new connections until descriptors free up"])
        }
        guard spareFD >= 0 else { return }
        Glibc.close(spareFD)
        let client = oddsnet_accept(fd)
        if client >= 0 {
            Glibc.close(client)
        }
        spareFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    func close() {
        guard !closed else { return }
        closed = true
        connections.loop.deregister(fd: fd)
        Glibc.close(fd)
    }
}
