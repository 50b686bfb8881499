/// The server connections that live on one event loop, with what they share there: a read
/// buffer and the timeout sweep. Loop thread only.
final class LoopConnections {
    let loop: EventLoop
    let context: ServerContext
    var connections: [ObjectIdentifier: ServerConnection] = [:]
    /// One read buffer for every connection on the loop: reads never overlap on one thread.
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    var shuttingDown = false
    private var sweepTimer: UInt64?

    init(loop: EventLoop, context: ServerContext) {
        self.loop = loop
        self.context = context
    }

    deinit {
        readBuffer.deallocate()
    }

    func add(_ connection: ServerConnection) {
        connections[ObjectIdentifier(connection)] = connection
        context.metrics.connectionsOpen.add(1)
        if sweepTimer == nil {
            scheduleSweep()
        }
    }

    func remove(_ connection: ServerConnection) {
        if connections.removeValue(forKey: ObjectIdentifier(connection)) != nil {
            context.metrics.connectionsOpen.add(-1)
        }
    }

    /// Asks every connection to finish gracefully.
    func beginShutdown() {
        shuttingDown = true
        for connection in Array(connections.values) {
            connection.beginShutdown()
        }
    }

    /// Closes every connection now.
    func closeAll() {
        for connection in Array(connections.values) {
            connection.close(reason: "shutdown")
        }
        if let sweepTimer {
            loop.cancelTimer(sweepTimer)
            self.sweepTimer = nil
        }
    }

    private func scheduleSweep() {
        sweepTimer = loop.scheduleTimer(after: context.limits.sweepInterval) { [weak self] in
            guard let self else { return }
            self.sweepTimer = nil
            let now = MonotonicClock.now()
            for connection in Array(self.connections.values) {
                connection.checkTimeouts(now: now)
            }
            if !self.connections.isEmpty {
                self.scheduleSweep()
            }
        }
    }
}
