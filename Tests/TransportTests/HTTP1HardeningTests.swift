import Foundation
import TestSupport
import Testing
@testable import Transport

/// The HTTP/1.1 side of the server's guards: body size and the header timeout, driven with
/// curl and with a raw socket. Timeouts under test are 300 ms; waits are on events.
@Suite(.serialized) struct HTTP1HardeningTests {
    static let shortTimeout = Duration64.milliseconds(300)
    static let notBefore = 0.25

    @Test func bodyOverTheLimitGets413() throws {
        let limits = ServerLimits.hardening { $0.maxRequestBodyBytes = 64 * 1024 }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let url = server.baseURL + "/upload"

        func upload(_ size: Int) throws -> String {
            let path = directory.file("body-\(size)")
            try Data(repeating: 7, count: size).write(to: URL(fileURLWithPath: path))
            // Without Expect: 100-continue, so the body is on its way when the answer comes.
            return try HardeningRoutes.curlStatus(
                url, ["--http1.1", "-H", "Expect:", "--data-binary", "@" + path])
        }
        #expect(try upload(limits.maxRequestBodyBytes) == "200")
        #expect(try upload(limits.maxRequestBodyBytes + 36 * 1024) == "413")
        #expect((server.metric("transport_streams_refused_total") ?? 0) >= 1)
    }

    @Test func partialHeadGets408AndClose() throws {
        let limits = ServerLimits.hardening { $0.headerTimeout = Self.shortTimeout }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try HTTP1Probe(port: server.port)

        let sent = Date()
        probe.send("GET / HTTP/1.1\r\nHost: x\r\n")

        let response = probe.readResponse()
        #expect(response?.status == 408)
        #expect(response?.head.lowercased().contains("connection: close") == true)
        #expect(probe.waitForClose(), "then the close")
        #expect(Date().timeIntervalSince(sent) >= Self.notBefore, "not before the timeout")
        #expect((server.metric("transport_timeouts_total") ?? 0) >= 1)
    }

    /// On a kept-alive connection the header timeout counts from the first byte of each head,
    /// not from the end of the previous exchange: the quiet time between requests belongs to
    /// the idle timeout.
    @Test func headerTimerStartsWithEachRequestHead() throws {
        let limits = ServerLimits.hardening {
            $0.headerTimeout = Self.shortTimeout
            $0.idleTimeout = .seconds(30)
        }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let keptAlive = try HTTP1Probe(port: server.port)
        keptAlive.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        try #require(keptAlive.readResponse()?.status == 200)

        // A second connection's 408 is the clock: a header timeout has passed since then.
        let clock = try HTTP1Probe(port: server.port)
        clock.send("GET / HTTP/1.1\r\nHost: x\r\n")
        try #require(clock.readResponse()?.status == 408)

        let sent = Date()
        keptAlive.send("GET / HTTP/1.1\r\nHost: x\r\n")
        let response = keptAlive.readResponse()
        #expect(response?.status == 408)
        #expect(Date().timeIntervalSince(sent) >= Self.notBefore,
                "the head that just started was given its full header timeout")
    }
}
