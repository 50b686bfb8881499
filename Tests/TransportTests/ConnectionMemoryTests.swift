import Foundation
import Glibc
import Testing
import TestSupport
@testable import Transport

/// What one client can make a connection hold is bounded: pipelined requests, request bodies
/// spread over many streams.
@Suite struct ConnectionMemoryTests {
    @Test func pipelinedFloodIsAnsweredInOrderWithoutDeepRecursion() throws {
        let server = try TestServer(router: TestRoutes.router(), threads: 1)
        defer { server.stop() }
        let connection = try RawHTTP2Connection(port: server.port)
        let count = 20_000
        let request = Array("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        var flood: [UInt8] = []
        for _ in 0..<count { flood += request }
        let work = UncheckedBox((connection, flood))
        let writer = Thread { work.value.0.send(work.value.1) }
        writer.start()
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let answer = Array("HTTP/1.1 200 OK".utf8)
        var answers = 0
        let deadline = Date().addingTimeInterval(30)
        while answers < count && Date() < deadline {
            let read = recv(connection.fd, &buffer, buffer.count, 0)
            if read <= 0 { break }
            received += buffer[0..<read]
            answers = Self.occurrences(of: answer, in: received)
        }
        #expect(answers == count)
    }

    @Test func requestBodiesAcrossStreamsAreCappedPerConnection() throws {
        var limits = ServerLimits()
        limits.maxBufferedRequestBytes = 512 * 1024
        limits.maxRequestBodyBytes = 256 * 1024
        let server = try TestServer(router: TestRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let connection = try RawHTTP2Connection(port: server.port)
        connection.start()
        // Each stream stays inside the default 65,535-byte stream window and all of them
        // inside the server's 1 MiB connection window, so only the buffering cap can refuse.
        let chunk = [UInt8](repeating: 7, count: 15_000)
        for index in 0..<10 {
            let stream = UInt32(1 + 2 * index)
            connection.send(connection.requestFrame(
                streamID: stream, method: "POST", path: "/echo", endStream: false))
            for _ in 0..<4 {  // 60,000 bytes per stream, under the body limit
                connection.send(RawHTTP2Connection.frame(
                    type: RawHTTP2Connection.FrameType.data, streamID: stream, payload: chunk))
            }
        }
        let refused = connection.readUntil { $0.resetCode == 7 }
        #expect(refused != nil)
        #expect((server.metric("transport_streams_refused_total") ?? 0) >= 1)
    }

    private static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard haystack.count >= needle.count else { return 0 }
        var count = 0
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0]
                && Array(haystack[index..<index + needle.count]) == needle
            {
                count += 1
                index += needle.count
            } else {
                index += 1
            }
        }
        return count
    }
}
