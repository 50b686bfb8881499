import Dispatch
import CSystem
import Glibc
import Telemetry
import Locks

/// An HTTP/2 and HTTP/1.1 server: one event loop per core, each with its own listening socket
/// on every address (SO_REUSEPORT), so the kernel spreads connections over the loops.
///
/// `start` and `shutdown` are called from one controlling thread (not a loop thread).
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    public let metrics: TransportMetrics
    private let context: ServerContext
    private let group: EventLoopGroup
    private let state = Lock<State>(State())

    private struct State: @unchecked Sendable {
        // @unchecked: listeners and connection sets are only touched on their own loops;
        // the lock guards the references, not the objects' use.
        var perLoop: [LoopConnections] = []
        var listeners: [[Listener]] = []
        var ports: [Int] = []
        var stopped = false
    }

    /// Creates the server and its loops; nothing listens until `start`.
    public init(
        configuration: HTTPServerConfiguration, router: Router, logger: Logger,
        metrics registry: MetricsRegistry
    ) throws(TransportError) {
        self.configuration = configuration
        metrics = TransportMetrics(registry: registry)
        context = ServerContext(
            router: router, limits: configuration.limits, logger: logger, metrics: metrics)
        group = try EventLoopGroup(threads: configuration.threads, name: configuration.threadName)
    }

    /// The ports bound, one per listener in configuration order (useful with port 0).
    public var boundPorts: [Int] {
        state.withLock { $0.ports }
    }

    /// The loops the server runs on, for work that must share a connection's thread.
    public var eventLoops: EventLoopGroup {
        group
    }

    /// Binds every listener on every loop. Throws `addressInUse`, `invalidAddress` or a TLS
    /// error naming the file; on failure nothing stays bound.
    public func start() throws(TransportError) {
        var sockets: [[Int32]] = Array(repeating: [], count: group.loops.count)
        var contexts: [TLSContext?] = []
        var ports: [Int] = []
        do {
            for listener in configuration.listeners {
                guard var address = Socket.Address(parsing: listener.address) else {
                    throw TransportError.invalidAddress(listener.address)
                }
                contexts.append(try listener.tls.map { try TLSContext.server($0) })
                try Socket.checkUnused(address)
                for index in group.loops.indices {
                    let fd = try Socket.listen(address)
                    sockets[index].append(fd)
                    if address.port == 0 {
                        address.port = Socket.localPort(fd)
                    }
                }
                ports.append(address.port)
            }
        } catch {
            sockets.joined().forEach { Glibc.close($0) }
            throw error as! TransportError
        }

        var perLoop: [LoopConnections] = []
        var allListeners: [[Listener]] = []
        for (index, loop) in group.loops.enumerated() {
            let connections = LoopConnections(loop: loop, context: context)
            let listeners = zip(sockets[index], contexts).map { fd, tls in
                Listener(fd: fd, tls: tls, connections: connections)
            }
            perLoop.append(connections)
            allListeners.append(listeners)
            let failure = Self.runAndWait(on: loop) { () -> TransportError? in
                do {
                    for listener in listeners { try listener.start() }
                    return nil
                } catch {
                    return error as? TransportError
                }
            }
            if let failure { throw failure }
        }
        let boxed = UncheckedBox((perLoop, allListeners))
        state.withLock {
            $0.perLoop = boxed.value.0
            $0.listeners = boxed.value.1
            $0.ports = ports
        }
    }

    /// Stops accepting, sends GOAWAY, gives open streams `grace` to finish, then closes
    /// everything and stops the loops. Safe to call twice.
    public func shutdown(grace: Duration64? = nil) {
        let taken = state.withLock { state -> UncheckedBox<([LoopConnections], [[Listener]])>? in
            guard !state.stopped else { return nil }
            state.stopped = true
            return UncheckedBox((state.perLoop, state.listeners))
        }
        guard let taken else { return }
        let (perLoop, listeners) = taken.value
        for (index, connections) in perLoop.enumerated() {
            let loopListeners = UncheckedBox(listeners[index])
            let box = UncheckedBox(connections)
            Self.runAndWait(on: connections.loop) {
                loopListeners.value.forEach { $0.close() }
                box.value.beginShutdown()
            }
        }
        let deadline = MonotonicClock.now() + (grace ?? configuration.shutdownGrace).nanoseconds
        while MonotonicClock.now() < deadline {
            let open = perLoop.reduce(0) { total, connections in
                let box = UncheckedBox(connections)
                return total + Self.runAndWait(on: connections.loop) {
                    box.value.connections.count
                }
            }
            if open == 0 { break }
            usleep(10_000)
        }
        for connections in perLoop {
            let box = UncheckedBox(connections)
            Self.runAndWait(on: connections.loop) { box.value.closeAll() }
        }
        group.shutdown()
    }

    /// Runs `body` on `loop` and waits for its result. Not from a loop thread.
    @discardableResult
    static func runAndWait<Result>(
        on loop: EventLoop, _ body: @escaping () -> Result
    ) -> Result {
        let done = DispatchSemaphore(value: 0)
        let slot = UncheckedBox<Result?>(nil)
        let work = UncheckedBox(body)
        loop.execute {
            slot.value = work.value()
            done.signal()
        }
        done.wait()
        return slot.value!
    }
}

/// Carries a non-Sendable value across a thread hop whose other side is the only user.
final class UncheckedBox<Value>: @unchecked Sendable {
    // @unchecked: used only to hand a value to one loop task and read it back after a
    // semaphore, which orders the accesses.
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}
