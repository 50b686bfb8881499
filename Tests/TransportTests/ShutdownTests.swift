import Foundation
import Glibc
import Testing
import TestSupport
@testable import Transport
import Locks

/// The demo edge, started as a real process, stopped with SIGTERM while streams run.
@Suite struct ShutdownTests {
    /// Streams the ticker and records every line and how it ended.
    private final class TickCollector: Sendable {
        let lines = Lock<[String]>([])
        let end = Lock<Result<HTTPHeaders, TransportError>?>(nil)

        var handlers: HTTPClientStreamHandlers {
            HTTPClientStreamHandlers(
                onData: { bytes in
                    let text = String(decoding: bytes, as: UTF8.self)
                    self.lines.withLock { $0 += text.split(separator: "\n").map(String.init) }
                },
                onEnd: { result in self.end.withLock { $0 = result } })
        }
    }

    /// Starts the demo edge with `grace`, streams `ticks` from it, and returns once the first
    /// tick has arrived.
    private func startTicking(
        graceMilliseconds: Int, ticks: String
    ) throws -> (TestProcess, ClientFixture, TickCollector) {
        let edge = try TestProcess("odds-edge", [
            "--demo", "--listen", "127.0.0.1:0", "--threads", "1",
            "--shutdown-grace-ms", String(graceMilliseconds),
        ])
        let port = try #require(edge.waitForListenPort())
        let client = try ClientFixture(port: port)
        let collector = TickCollector()
        client.client.execute(
            HTTPClientRequest(path: "/v1/demo/ticks?\(ticks)"), handlers: collector.handlers)
        #expect(Eventually.wait(timeout: 10) { !collector.lines.withLock { $0.isEmpty } })
        return (edge, client, collector)
    }

    @Test func sigtermLetsStreamsFinishThenExitsZero() async throws {
        let (edge, client, ticks) = try startTicking(
            graceMilliseconds: 5000, ticks: "count=40&interval_ms=25")
        defer { edge.stop(); client.close() }

        edge.send(SIGTERM)
        #expect(edge.waitForExit(timeout: 10) == 0)
        #expect(Eventually.wait(timeout: 5) { ticks.end.withLock { $0 } != nil })
        let lines = ticks.lines.withLock { $0 }
        #expect(lines == (0..<40).map { "tick \($0)" })
        if case .failure(let error) = ticks.end.withLock({ $0 }) {
            Issue.record("stream ended with \(error)")
        }
        #expect(edge.log.contains("\"event\":\"shutdown.finished\""))
    }

    @Test func sigtermCutsStreamsThatOutliveTheGrace() async throws {
        let (edge, client, ticks) = try startTicking(
            graceMilliseconds: 300, ticks: "count=100000&interval_ms=10")
        defer { edge.stop(); client.close() }

        let started = Date()
        edge.send(SIGTERM)
        #expect(edge.waitForExit(timeout: 10) == 0)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(Eventually.wait(timeout: 5) { ticks.end.withLock { $0 } != nil })
        if case .success = ticks.end.withLock({ $0 }) {
            Issue.record("a stream cut by shutdown must not look complete")
        }
    }

    @Test func newConnectionsAreRefusedAfterShutdown() throws {
        let edge = try TestProcess("odds-edge", [
            "--demo", "--listen", "127.0.0.1:0", "--threads", "2",
        ])
        defer { edge.stop() }
        let port = try #require(edge.waitForListenPort())
        edge.send(SIGTERM)
        #expect(edge.waitForExit(timeout: 10) == 0)
        let output = try Command.run("curl", ["-sS", "http://127.0.0.1:\(port)/healthz"])
        #expect(output.status == 7)  // curl: failed to connect
    }
}
