/// One address a server listens on, plain (h2c and HTTP/1.1) or TLS (ALPN h2, http/1.1).
public struct ListenerConfiguration: Sendable, Equatable {
    /// `host:port`; port 0 picks a free one (see `HTTPServer.boundPorts`).
    public var address: String
    public var tls: TLSServerConfiguration?

    public init(address: String, tls: TLSServerConfiguration? = nil) {
        self.address = address
        self.tls = tls
    }
}

/// Everything an `HTTPServer` needs besides its router.
public struct HTTPServerConfiguration: Sendable {
    public var listeners: [ListenerConfiguration]
    public var limits: ServerLimits
    /// Event loops to run; nil means one per core.
    public var threads: Int?
    /// Time that in-flight streams get to finish after a graceful shutdown begins.
    public var shutdownGrace: Duration64
    /// What the loops' threads are called, numbered from 0 (`http-0`, `http-1`): a process
    /// that runs two servers names them apart.
    public var threadName: String

    public init(
        listeners: [ListenerConfiguration], limits: ServerLimits = ServerLimits(),
        threads: Int? = nil, shutdownGrace: Duration64 = .seconds(10), threadName: String = "http"
    ) {
        self.listeners = listeners
        self.limits = limits
        self.threads = threads
        self.shutdownGrace = shutdownGrace
        self.threadName = threadName
    }
}
