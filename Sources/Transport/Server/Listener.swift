import CSystem
import Glibc
import Telemetry

/// A listening socket on one event loop, accepting into that loop's connections.
final class Listener: EventLoopSelectable {
    let fd: Int32
    private let tls: TLSContext?
    private let connections: LoopConnections
    private var closed = false

    init(fd: Int32, tls: TLSContext?, connections: LoopConnections) {
        self.fd = fd
        self.tls = tls
        self.connections = connections
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
                    connections.context.logger.error(
                        "listener.accept.exhausted", ["error": .string(String(cString: strerror(number)))])
                }
                return
            }
            connections.context.metrics.connectionsAccepted.increment()
            do {
                _ = try ServerConnection(fd: client, tls: tls, owner: connections)
            } catch {
                Glibc.close(client)
                connections.context.logger.warning("connection.setup.failed", ["error": "\(error)"])
            }
        }
    }

    func close() {
        guard !closed else { return }
        closed = true
        connections.loop.deregister(fd: fd)
        Glibc.close(fd)
    }
}
