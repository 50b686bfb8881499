import Foundation
import Telemetry
import Transport

/// An `HTTPServer` started in this process on an ephemeral loopback port, for tests that
/// drive it with real clients. Stopped by `stop()`.
public final class TestServer: Sendable {
    public let server: HTTPServer
    public let port: Int
    public let metrics: MetricsRegistry
    public let logs: MemoryLogSink

    public init(
        router: Router, limits: ServerLimits = ServerLimits(), threads: Int = 2,
        tls: TLSServerConfiguration? = nil, shutdownGrace: Duration64 = .seconds(2),
        address: String = "127.0.0.1:0"
    ) throws {
        metrics = MetricsRegistry()
        logs = MemoryLogSink()
        let logger = Logger(label: "test-server", level: .debug, sink: logs)
        server = try HTTPServer(
            configuration: HTTPServerConfiguration(
                listeners: [ListenerConfiguration(address: address, tls: tls)],
                limits: limits, threads: threads, shutdownGrace: shutdownGrace),
            router: router, logger: logger, metrics: metrics)
        try server.start()
        port = server.boundPorts[0]
    }

    public var baseURL: String {
        "http://127.0.0.1:\(port)"
    }

    public func stop() {
        server.shutdown(grace: .milliseconds(200))
    }

    /// The current value of counter or gauge `name` as rendered for Prometheus.
    public func metric(_ name: String) -> Double? {
        for line in metrics.render().split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last!)
        }
        return nil
    }
}
