import Foundation
import TestSupport
import Testing
@testable import Transport

/// The HTTP/2 server's guards, each driven on purpose with hand-made frames: the limits it
/// advertises, the floods nghttp2 stops, the timeouts, and the caps the server adds itself.
///
/// Every test starts its own server on an ephemeral port. Timeouts under test are 300 ms; the
/// tests wait on the event (a frame, the close) with deadlines of seconds, never a sleep.
/// Serialized: the floods use both cores, and the timing bounds stay honest when they run alone.
@Suite(.serialized) struct HardeningTests {
    /// The short timeout every timeout test uses, and the lower bound it checks against.
    static let shortTimeout = Duration64.milliseconds(300)
    static let notBefore = 0.25

    // MARK: Advertised limits

    @Test func settingsAdvertiseTheLimits() throws {
        let limits = ServerLimits.hardening { $0.initialWindowBytes = 100_000 }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)

        probe.raw.start()
        try #require(probe.read { $0.serverSettings != nil })

        let settings = Dictionary(
            probe.serverSettings!.map { ($0.id, $0.value) }, uniquingKeysWith: { $1 })
        #expect(settings[0x3] == 100, "MAX_CONCURRENT_STREAMS")
        #expect(settings[0x6] == 16_384, "MAX_HEADER_LIST_SIZE")
        #expect(settings[0x2] == 0, "ENABLE_PUSH")
        #expect(settings[0x9] == 1, "NO_RFC7540_PRIORITIES")
        #expect(settings[0x4] == 100_000, "INITIAL_WINDOW_SIZE")
    }

    // MARK: Header list size

    @Test func headerListOverTheLimitGets431() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        // The request's pseudo-header fields count 174 bytes (name + value + 32 each), and
        // the extra field 32 + its name: this value brings the list to exactly 16 KiB.
        let name = "x-oversized"
        let atLimit = 16_384 - 174 - (name.utf8.count + 32)
        let fits = probe.raw.headerBlock(extra: [(name, String(repeating: "v", count: atLimit))])
        probe.send(FrameProbe.headerFrames(block: fits, streamID: 1, endStream: true))
        probe.read { $0.outcome(of: 1) != .pending }
        #expect(probe.outcome(of: 1) == .status(200), "a list of exactly 16 KiB is allowed")

        let tooLong = String(repeating: "v", count: atLimit + 1)
        let over = probe.raw.headerBlock(extra: [(name, tooLong)])
        probe.send(FrameProbe.headerFrames(block: over, streamID: 3, endStream: true))
        probe.read { $0.outcome(of: 3) != .pending }
        switch probe.outcome(of: 3) {
        case .status(let status): #expect(status == 431)
        case .reset: break
        case .pending: Issue.record("no answer to an oversized header list")
        }

        #expect(probe.request(streamID: 5) == .status(200), "the connection stays usable")
    }

    // MARK: Floods nghttp2 stops

    @Test func rapidResetFloodEndsTheConnection() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        var flood: [UInt8] = []
        for index in 0..<2_000 {
            let streamID = UInt32(2 * index + 1)
            flood += probe.raw.requestFrame(streamID: streamID)
            flood += RawHTTP2Connection.resetFrame(streamID: streamID, code: 0x8)
        }
        probe.send(flood)

        #expect(probe.waitForClose(), "the flooding connection is closed")
        if let code = probe.goAwayCode {
            // nghttp2's reset rate limit sends INTERNAL_ERROR; ENHANCE_YOUR_CALM is also fine.
            #expect(code == 0x2 || code == 0xb, "GOAWAY code \(code)")
        }

        let fresh = try FrameProbe(port: server.port)
        try #require(fresh.handshake())
        #expect(fresh.request(streamID: 1) == .status(200), "the server keeps serving")
    }

    @Test func continuationFloodEndsTheConnection() throws {
        let limits = ServerLimits.hardening()
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        let allowed = probe.raw.headerBlock(extra: (0..<40).map { ("x-allowed-\($0)", "v\($0)") })
        probe.send(FrameProbe.headerFrames(
            block: allowed, streamID: 1, endStream: true, pieces: limits.maxContinuations))
        probe.read { $0.outcome(of: 1) != .pending }
        #expect(probe.outcome(of: 1) == .status(200), "a block within the limit is served")

        let flood = probe.raw.headerBlock(extra: (0..<60).map { ("x-flood-\($0)", "v\($0)") })
        probe.send(FrameProbe.headerFrames(block: flood, streamID: 3, endStream: true, pieces: 51))

        #expect(probe.waitForClose(), "50 CONTINUATION frames close the connection")
        #expect(probe.outcome(of: 3) == .pending, "the flooded request is never served")
    }

    @Test func settingsWithTooManyEntriesEndTheConnection() throws {
        let limits = ServerLimits.hardening()
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        // Identifiers nghttp2 does not know, which it must otherwise ignore.
        let entries = (0..<limits.maxSettingsEntries + 1).map { (UInt16(0x100 + $0), UInt32($0)) }

        let allowed = try FrameProbe(port: server.port)
        allowed.raw.start(settings: Array(entries.dropLast()))
        #expect(allowed.read { $0.settingsAcks > 0 }, "32 entries are acknowledged")
        #expect(allowed.request(streamID: 1) == .status(200))

        let flooding = try FrameProbe(port: server.port)
        flooding.raw.start(settings: entries)
        #expect(flooding.waitForClose(), "33 entries close the connection")
        #expect(flooding.settingsAcks == 0)
        if let code = flooding.goAwayCode {
            #expect(code == 0xb, "GOAWAY ENHANCE_YOUR_CALM, got \(code)")
        }
    }

    @Test func pingFloodEndsTheConnection() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())
        let pings = 20_000

        // Sent in one go and not read meanwhile: the acknowledgements pile up in the server.
        var flood: [UInt8] = []
        flood.reserveCapacity(pings * 17)
        for index in 0..<pings {
            flood += RawHTTP2Connection.pingFrame(UInt64(index))
        }
        probe.send(flood)

        #expect(probe.waitForClose(timeout: 10), "the flooding connection is closed")
        #expect(probe.pingAcks < pings, "not every PING was answered")
        #expect((server.metric("transport_protocol_errors_total") ?? 0) >= 1)
    }

    // MARK: Body size

    @Test func requestBodyOverTheLimitGets413() throws {
        let limits = ServerLimits.hardening {
            $0.maxRequestBodyBytes = 64 * 1024
            $0.initialWindowBytes = 1 << 20
        }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        func upload(_ size: Int, streamID: UInt32) -> FrameProbe.StreamOutcome {
            probe.send(probe.raw.requestFrame(
                streamID: streamID, method: "POST", path: "/upload", endStream: false))
            let body = [UInt8](repeating: 7, count: size)
            probe.send(FrameProbe.dataFrames(body, streamID: streamID))
            probe.read { $0.outcome(of: streamID) != .pending }
            return probe.outcome(of: streamID)
        }
        #expect(upload(limits.maxRequestBodyBytes, streamID: 1) == .status(200))
        #expect(upload(limits.maxRequestBodyBytes + 36 * 1024, streamID: 3) == .status(413))
        #expect(probe.request(streamID: 5) == .status(200), "the connection stays usable")
        #expect((server.metric("transport_streams_refused_total") ?? 0) >= 1)
    }

    // MARK: Timeouts

    @Test func prefaceTimeoutClosesSilentConnections() throws {
        let limits = ServerLimits.hardening { $0.prefaceTimeout = Self.shortTimeout }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let preface = RawHTTP2Connection.preface

        let started = Date()
        let silent = try FrameProbe(port: server.port)
        let partial = try FrameProbe(port: server.port)
        partial.send(Array(preface.prefix(preface.count / 2)))
        let noSettings = try FrameProbe(port: server.port)
        noSettings.send(preface)

        let probes = [("silent", silent), ("partial", partial), ("no SETTINGS", noSettings)]
        for (name, probe) in probes {
            #expect(probe.waitForClose(), "\(name) connection is closed")
        }
        #expect(Date().timeIntervalSince(started) >= Self.notBefore, "not before the timeout")
        #expect((server.metric("transport_timeouts_total") ?? 0) >= 3)
    }

    @Test func idleConnectionGetsGoAwayThenClose() throws {
        let limits = ServerLimits.hardening { $0.idleTimeout = Self.shortTimeout }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())
        try #require(probe.request(streamID: 1) == .status(200))
        let answered = Date()

        #expect(probe.read { $0.goAwayCode != nil }, "GOAWAY first")
        #expect(probe.goAwayCode == 0, "NO_ERROR")
        #expect(probe.waitForClose(), "then the close")
        #expect(Date().timeIntervalSince(answered) >= Self.notBefore, "not before the timeout")
    }

    @Test func headerBlockThatNeverEndsClosesTheConnection() throws {
        let limits = ServerLimits.hardening { $0.headerTimeout = Self.shortTimeout }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        let block = probe.raw.headerBlock()
        let sent = Date()
        probe.send(RawHTTP2Connection.frame(
            type: RawHTTP2Connection.FrameType.headers, flags: RawHTTP2Connection.Flags.endStream,
            streamID: 1, payload: Array(block.prefix(block.count / 2))))

        #expect(probe.waitForClose(), "the connection is closed")
        #expect(Date().timeIntervalSince(sent) >= Self.notBefore, "not before the timeout")
        if let code = probe.goAwayCode {
            #expect(code == 0xb, "GOAWAY ENHANCE_YOUR_CALM, got \(code)")
        }
        #expect((server.metric("transport_timeouts_total") ?? 0) >= 1)
    }

    @Test func requestBodyThatNeverEndsIsCancelled() throws {
        let limits = ServerLimits.hardening { $0.headerTimeout = Self.shortTimeout }
        let server = try TestServer(router: HardeningRoutes.router(), limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        let sent = Date()
        probe.send(probe.raw.requestFrame(
            streamID: 1, method: "POST", path: "/upload", endStream: false))

        #expect(probe.read { $0.outcome(of: 1) != .pending })
        #expect(probe.outcome(of: 1) == .reset(0x8), "RST_STREAM CANCEL")
        #expect(Date().timeIntervalSince(sent) >= Self.notBefore, "not before the timeout")
        #expect(probe.request(streamID: 3) == .status(200), "the connection stays usable")
    }

    @Test func streamingRouteBodyMayPauseLongerThanTheHeaderTimeout() throws {
        let limits = ServerLimits.hardening { $0.headerTimeout = Self.shortTimeout }
        let router = HardeningRoutes.router { router in
            router.addStreaming(.post, "/acks") { _, body, responder in
                body.read(onChunk: { _ in }, onEnd: { _ in
                    responder.respond(HTTPResponse(status: 200))
                })
            }
        }
        let server = try TestServer(router: router, limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())

        probe.send(probe.raw.requestFrame(
            streamID: 1, method: "POST", path: "/acks", endStream: false))
        // Three header timeouts without a byte of body: the stream stays open.
        let ended = probe.read(timeout: 3 * Self.notBefore + 0.2) {
            $0.outcome(of: 1) != FrameProbe.StreamOutcome.pending
        }
        #expect(!ended)
        probe.send(FrameProbe.dataFrames(Array("ack".utf8), streamID: 1))
        #expect(probe.read { $0.outcome(of: 1) != .pending })
        #expect(probe.outcome(of: 1) == .status(200))
    }

    @Test func zeroWindowStreamIsClosedByWriteTimeout() throws {
        let limits = ServerLimits.hardening { $0.writeTimeout = Self.shortTimeout }
        let backpressure = ProbeFlag()
        let streamClosed = ProbeFlag()
        let router = HardeningRoutes.router { router in
            router.add(.get, "/stream") { _, responder in
                let stream = responder.startStream(highWaterBytes: 64 * 1024)
                stream.onClose { streamClosed.set() }
                let piece = [UInt8](repeating: 0x61, count: 16 * 1024)
                for _ in 0..<64 {
                    if !stream.write(piece) { backpressure.set() }
                }
            }
        }
        let server = try TestServer(router: router, limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake(settings: [(0x4, 0)]))

        let sent = Date()
        #expect(probe.request(streamID: 1, path: "/stream") == .status(200))
        #expect(probe.waitForClose(), "the stalled connection is closed")
        #expect(Date().timeIntervalSince(sent) >= Self.notBefore, "not before the timeout")
        #expect(probe.dataBytes[1] == nil, "nothing was sent into a zero window")
        #expect(backpressure.isSet, "write reported the high-water mark")
        #expect(Eventually.wait(timeout: 5) { streamClosed.isSet }, "onClose fired")
    }

    // MARK: Caps the server adds

    @Test func handlersInFlightAreCappedEvenAfterClientResets() throws {
        let held = HeldResponders()
        let router = HardeningRoutes.router { router in
            router.add(.get, "/hold") { _, responder in held.hold(responder) }
        }
        let limits = ServerLimits.hardening()
        let server = try TestServer(router: router, limits: limits, threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        try #require(probe.handshake())
        let cap = limits.maxConcurrentStreams

        let heldIDs = (0..<cap).map { UInt32(2 * $0 + 1) }
        probe.send(heldIDs.flatMap { probe.raw.requestFrame(streamID: $0, path: "/hold") })
        try #require(Eventually.wait(timeout: 5) { held.count == cap })
        probe.send(heldIDs.flatMap { RawHTTP2Connection.resetFrame(streamID: $0, code: 0x8) })
        let refusedBefore = server.metric("transport_streams_refused_total") ?? 0

        let extraIDs = (0..<5).map { UInt32(2 * (cap + $0) + 1) }
        probe.send(extraIDs.flatMap { probe.raw.requestFrame(streamID: $0) })
        probe.read { probe in extraIDs.allSatisfy { probe.outcome(of: $0) != .pending } }
        for streamID in extraIDs {
            #expect(probe.outcome(of: streamID) == .reset(0x7), "stream \(streamID) refused")
        }
        #expect((server.metric("transport_streams_refused_total") ?? 0) >= refusedBefore + 5)

        held.answerAll()
        try #require(probe.roundTrip(), "the answers have reached the connection's loop")
        #expect(probe.request(streamID: extraIDs.last! + 2) == .status(200), "new streams work")
    }

    @Test func streamsBeyondTheConcurrencyLimitAreRefused() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        let probe = try FrameProbe(port: server.port)
        let streamIDs = (0..<1_000).map { UInt32(2 * $0 + 1) }

        // All at once after the preface, before acknowledging the server's SETTINGS.
        probe.send(RawHTTP2Connection.preface + RawHTTP2Connection.settingsFrame([])
            + streamIDs.flatMap { probe.raw.requestFrame(streamID: $0) })
        let answered = probe.read(timeout: 10) { probe in
            streamIDs.allSatisfy { probe.outcome(of: $0) != .pending }
        }

        let outcomes = streamIDs.map { probe.outcome(of: $0) }
        let served = outcomes.filter { $0 == .status(200) }.count
        let refused = outcomes.filter { $0 == .reset(0x7) }.count
        #expect(answered, "every stream answered: \(served) served, \(refused) refused")
        #expect(served + refused == streamIDs.count)
        #expect(served >= 100)
        #expect(refused > 0)
    }

    // MARK: Garbage

    @Test func garbageClosesOnlyItsConnection() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        let good = try FrameProbe(port: server.port)
        try #require(good.handshake())
        var random = ProbeRandom(seed: 0x0dd5)

        let garbage: [(String, [UInt8])] = [
            ("random bytes", [0x01] + random.bytes(2_048) + Array("\r\n\r\n".utf8)),
            ("preface then garbage", RawHTTP2Connection.preface + random.bytes(2_048)),
            ("HTTP/1.1 garbage line", Array("\u{1}GARBAGE \u{7f}\r\n\r\n".utf8)),
        ]
        for (name, bytes) in garbage {
            let bad = try FrameProbe(port: server.port)
            bad.send(bytes)
            #expect(bad.waitForClose(), "\(name): its connection is closed")
        }

        #expect(good.request(streamID: 1) == .status(200), "an open connection is untouched")
        let url = server.baseURL + "/"
        #expect(try HardeningRoutes.curlStatus(url, ["--http2-prior-knowledge"]) == "200")
        #expect(try HardeningRoutes.curlStatus(url, ["--http1.1"]) == "200")
    }

    /// Each kind of garbage is counted once. After a valid preface nghttp2 answers the garbage
    /// itself, with GOAWAY PROTOCOL_ERROR, and reports success to the server: that path counts
    /// as much as the ones where the server sees the error.
    @Test func garbageCountsAsProtocolError() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        var random = ProbeRandom(seed: 0xbad)

        let garbage: [(String, [UInt8])] = [
            ("random bytes", [0x01] + random.bytes(2_048) + Array("\r\n\r\n".utf8)),
            ("HTTP/1.1 garbage line", Array("\u{1}GARBAGE \u{7f}\r\n\r\n".utf8)),
            ("preface then garbage", RawHTTP2Connection.preface + random.bytes(2_048)),
        ]
        for (name, bytes) in garbage {
            let before = server.metric("transport_protocol_errors_total") ?? 0
            let bad = try FrameProbe(port: server.port)
            bad.send(bytes)
            try #require(bad.waitForClose(), "\(name): its connection is closed")
            let after = server.metric("transport_protocol_errors_total") ?? 0
            #expect(after == before + 1, "\(name): counted once as a protocol error")
        }
    }

    @Test func randomFramesNeverCrashTheServer() throws {
        let server = try TestServer(
            router: HardeningRoutes.router(), limits: .hardening(), threads: 1)
        defer { server.stop() }
        var random = ProbeRandom(seed: 0xf022)
        let connections = 200

        var closed = 0
        for _ in 0..<connections {
            let probe = try FrameProbe(port: server.port)
            var bytes = RawHTTP2Connection.preface + RawHTTP2Connection.settingsFrame([])
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                bytes += Self.randomFrame(probe: probe, using: &random)
            }
            probe.send(bytes)
            // The end of input makes every connection finish, whether or not it was valid.
            shutdown(probe.raw.fd, Int32(SHUT_WR))
            if probe.waitForClose() { closed += 1 }
        }
        #expect(closed == connections, "the server ended every fuzzed connection")

        let fresh = try FrameProbe(port: server.port)
        try #require(fresh.handshake())
        #expect(fresh.request(streamID: 1) == .status(200), "the server still answers")
    }

    /// A frame of a random known or unknown type, flags, stream and payload; now and then a
    /// well-formed request, so the fuzz also reaches streams.
    private static func randomFrame(probe: FrameProbe, using random: inout ProbeRandom)
        -> [UInt8]
    {
        let streamID = UInt32.random(in: 0...9, using: &random)
        if Int.random(in: 0..<5, using: &random) == 0 {
            return probe.raw.requestFrame(
                streamID: streamID | 1, endStream: Bool.random(using: &random))
        }
        let type = UInt8.random(in: 0...12, using: &random)
        let flags = UInt8.random(in: 0...255, using: &random)
        let payload = random.bytes(Int.random(in: 0...64, using: &random))
        return RawHTTP2Connection.frame(
            type: type, flags: flags, streamID: streamID, payload: payload)
    }
}
