import Foundation
import Testing
import TestSupport
@testable import Transport
import Locks

/// The server driven by real clients: curl, nghttp and the project's own HTTP/2 client.
@Suite struct ServerClientTests {
    @Test func curlPriorKnowledgeGet() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let output = try Command.run("curl", [
            "-sS", "--http2-prior-knowledge", "-w", "\n%{http_code} %{http_version}",
            "\(server.baseURL)/hello",
        ])
        #expect(output.stdout == "hello\n200 2")
    }

    @Test func curlHTTP11KeepAliveReusesTheConnection() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let output = try Command.run("curl", [
            "-sS", "-v", "--http1.1", "\(server.baseURL)/hello", "\(server.baseURL)/hello",
        ])
        #expect(output.stdout == "hellohello")
        #expect(output.stderr.contains("Re-using existing connection"))
        #expect(server.metric("transport_connections_accepted_total") == 1)
    }

    @Test func curlHTTP11HeadAndPost() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let head = try Command.run("curl", ["-sS", "-I", "--http1.1", "\(server.baseURL)/hello"])
        #expect(head.stdout.hasPrefix("HTTP/1.1 200 OK"))
        #expect(head.stdout.lowercased().contains("content-length: 5"))
        let post = try Command.run("curl", [
            "-sS", "--http1.1", "--data-binary", "odds", "\(server.baseURL)/echo",
        ])
        #expect(post.stdout == "odds")
    }

    @Test func nghttpGet() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let output = try Command.run("nghttp", ["\(server.baseURL)/hello"])
        #expect(output.status == 0)
        #expect(output.stdout == "hello")
    }

    @Test func megabyteBodiesBothWaysWithCurl() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let body = TestRoutes.pattern(1 << 20)
        try Data(body).write(to: URL(fileURLWithPath: directory.file("body")))
        let echo = try Command.run("curl", [
            "-sS", "--http2-prior-knowledge", "--data-binary", "@\(directory.file("body"))",
            "\(server.baseURL)/echo",
        ])
        #expect(echo.stdoutBytes == body)
        let big = try Command.run("curl", [
            "-sS", "--http2-prior-knowledge", "\(server.baseURL)/big?bytes=\(1 << 20)",
        ])
        #expect(big.stdoutBytes == body)
    }

    @Test func megabyteBodiesBothWaysWithOwnClient() async throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let body = TestRoutes.pattern(1 << 20)
        let echo = try await client.client.execute(
            HTTPClientRequest(method: .post, path: "/echo", body: body))
        #expect(echo.status == 200)
        #expect(echo.body == body)
        let big = try await client.client.execute(HTTPClientRequest(path: "/big?bytes=\(1 << 20)"))
        #expect(big.body == body)
    }

    @Test func thousandConcurrentStreamsOnOneConnection() async throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<1000 {
                group.addTask {
                    try await client.client.execute(HTTPClientRequest(path: "/slow")).status
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 1000)
        #expect(statuses.allSatisfy { $0 == 200 })
        #expect(server.metric("transport_connections_accepted_total") == 1)
    }

    @Test func streamOfTenThousandMessagesArrivesCompleteAndInOrder() async throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let response = try await client.client.execute(
            HTTPClientRequest(path: "/stream?count=10000"))
        let lines = response.text.split(separator: "\n")
        #expect(lines.count == 10_000)
        #expect(lines.enumerated().allSatisfy { $0.element == "message \($0.offset)" })
    }

    @Test func streamOverHTTP11IsChunked() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let output = try Command.run("curl", [
            "-sS", "--http1.1", "-D", "-", "\(server.baseURL)/stream?count=500",
        ])
        #expect(output.stdout.lowercased().contains("transfer-encoding: chunked"))
        #expect(output.stdout.contains("message 0\nmessage 1\n"))
        #expect(output.stdout.hasSuffix("message 499\n"))
    }

    @Test func streamOverHTTP10IsUnchunkedAndEndsWithTheConnection() throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let output = try Command.run("curl", [
            "-sS", "--http1.0", "-D", "-", "\(server.baseURL)/stream?count=500",
        ])
        #expect(!output.stdout.lowercased().contains("transfer-encoding"))
        #expect(output.stdout.contains("\r\n\r\nmessage 0\nmessage 1\n"))
        #expect(output.stdout.hasSuffix("message 499\n"))
    }

    @Test func answersCompletedFromAnotherThread() async throws {
        let server = try TestServer(router: TestRoutes.router())
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        let response = try await client.client.execute(HTTPClientRequest(path: "/slow"))
        #expect(response.text == "from another thread")
    }

    @Test func clientBacksOffAfterRefusedConnectAndRecovers() async throws {
        let port = try FreePort.pick()
        let loop = try EventLoop(name: "client")
        defer { loop.shutdown() }
        let client = try HTTP2Client(
            configuration: HTTP2ClientConfiguration(
                address: "127.0.0.1:\(port)",
                // Long enough that the second attempt falls inside it on a loaded machine.
                backoff: Backoff(initial: .seconds(2), maximum: .seconds(2), jitter: 0)),
            loop: loop)
        defer { client.close() }
        await #expect(throws: TransportError.connectionRefused) {
            try await client.execute(HTTPClientRequest(path: "/hello"))
        }
        // The next request comes inside the backoff unless the machine stalled for longer
        // than it; then it dials, is refused and backs off again, and the one after it must
        // be inside.
        var errors: [TransportError] = []
        while errors.count < 5, errors.last != .backingOff {
            do {
                _ = try await client.execute(HTTPClientRequest(path: "/hello"))
                break
            } catch {
                errors.append(error)
            }
        }
        #expect(errors.last == .backingOff, "\(errors)")
        #expect(errors.allSatisfy { $0 == .backingOff || $0 == .connectionRefused })
        let server = try TestServer(router: TestRoutes.router(), address: "127.0.0.1:\(port)")
        defer { server.stop() }
        var answered: HTTPClientResponse?
        let deadline = Date().addingTimeInterval(8)
        while answered == nil && Date() < deadline {
            answered = try? await client.execute(HTTPClientRequest(path: "/hello"))
            if answered == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answered?.text == "hello")
    }

    @Test func clientRequestTimeout() async throws {
        var router = Router()
        let held = Lock<[Responder]>([])
        router.add(.get, "/never") { _, responder in held.withLock { $0.append(responder) } }
        let server = try TestServer(router: router)
        defer { server.stop() }
        let client = try ClientFixture(port: server.port)
        defer { client.close() }
        await #expect(throws: TransportError.timeout) {
            try await client.client.execute(
                HTTPClientRequest(path: "/never", timeout: .milliseconds(200)))
        }
    }
}

/// An HTTP/2 client on its own loop, for one test.
final class ClientFixture: Sendable {
    let loop: EventLoop
    let client: HTTP2Client

    init(port: Int, tls: TLSClientConfiguration? = nil) throws {
        loop = try EventLoop(name: "client")
        client = try HTTP2Client(
            configuration: HTTP2ClientConfiguration(address: "127.0.0.1:\(port)", tls: tls),
            loop: loop)
    }

    func close() {
        client.close()
        loop.shutdown()
    }
}
