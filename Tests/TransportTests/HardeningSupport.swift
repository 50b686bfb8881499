import CNghttp2
import Foundation
import Glibc
import TestSupport
import Transport
import Locks

/// A hand-driven HTTP/2 client that records what the server answers: statuses (HPACK-decoded
/// with nghttp2's inflater), resets, GOAWAY, SETTINGS, PING acknowledgements and the close.
///
/// It writes through `RawHTTP2Connection` (frames, HPACK deflation) but reads the socket
/// itself, with `poll` and one overall deadline, so a wait never outlives its deadline and a
/// close is told apart from silence.
final class FrameProbe {
    struct Frame {
        let type: UInt8
        let flags: UInt8
        let streamID: UInt32
        let payload: [UInt8]
    }

    static let maxFrameBytes = 16_384

    let raw: RawHTTP2Connection
    private let inflater: OpaquePointer
    private var inbox: [UInt8] = []
    private var pendingBlock: [UInt8] = []
    private var pendingBlockStream: UInt32 = 0

    private(set) var statuses: [UInt32: Int] = [:]
    private(set) var resets: [UInt32: UInt32] = [:]
    private(set) var dataBytes: [UInt32: Int] = [:]
    private(set) var goAwayCode: UInt32?
    private(set) var serverSettings: [(id: UInt16, value: UInt32)]?
    private(set) var settingsAcks = 0
    private(set) var pingAcks = 0
    private(set) var frameCount = 0
    /// The server closed (FIN) or reset the connection.
    private(set) var closed = false
    private var nextPing: UInt64 = 1

    init(port: Int) throws {
        raw = try RawHTTP2Connection(port: port)
        var created: OpaquePointer?
        let status = nghttp2_hd_inflate_new(&created)
        precondition(status == 0, "nghttp2 could not allocate an HPACK inflater")
        inflater = created!
    }

    deinit {
        nghttp2_hd_inflate_del(inflater)
    }

    // MARK: Writing

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        raw.send(bytes)
    }

    /// Sends the preface with `settings`, waits for the server's SETTINGS and acknowledges them.
    /// Returns whether the server's SETTINGS arrived.
    @discardableResult
    func handshake(settings: [(UInt16, UInt32)] = [], timeout: Double = 5) -> Bool {
        raw.start(settings: settings)
        guard read(timeout: timeout, until: { $0.serverSettings != nil }) else { return false }
        return send(RawHTTP2Connection.settingsFrame([], ack: true))
    }

    /// Sends a request on `streamID` and reads until it has a status or a reset.
    func request(
        streamID: UInt32, method: String = "GET", path: String = "/", timeout: Double = 5
    ) -> StreamOutcome {
        send(raw.requestFrame(streamID: streamID, method: method, path: path))
        read(timeout: timeout) { $0.outcome(of: streamID) != .pending }
        return outcome(of: streamID)
    }

    /// Sends a PING and waits for its acknowledgement: everything the server's loop had been
    /// handed before the PING was read has run once this returns true.
    func roundTrip(timeout: Double = 5) -> Bool {
        let before = pingAcks
        send(RawHTTP2Connection.pingFrame(nextPing))
        nextPing += 1
        return read(timeout: timeout) { $0.pingAcks > before }
    }

    /// A header block as one HEADERS frame followed by CONTINUATION frames: `pieces` frames
    /// of about equal size, or as few as fit in frames of at most `maxFrameBytes`.
    static func headerFrames(
        block: [UInt8], streamID: UInt32, endStream: Bool, pieces: Int? = nil
    ) -> [UInt8] {
        let count = max(1, pieces ?? (block.count + maxFrameBytes - 1) / maxFrameBytes)
        var bytes: [UInt8] = []
        for index in 0..<count {
            let range = index * block.count / count..<(index + 1) * block.count / count
            let part = Array(block[range])
            let flags = (index == count - 1 ? RawHTTP2Connection.Flags.endHeaders : 0)
                | (index == 0 && endStream ? RawHTTP2Connection.Flags.endStream : 0)
            let type = index == 0
                ? RawHTTP2Connection.FrameType.headers : RawHTTP2Connection.FrameType.continuation
            bytes += RawHTTP2Connection.frame(
                type: type, flags: flags, streamID: streamID, payload: part)
        }
        return bytes
    }

    /// DATA frames carrying `body` on `streamID`, the last one ending the stream.
    static func dataFrames(_ body: [UInt8], streamID: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        var offset = 0
        repeat {
            let end = min(body.count, offset + maxFrameBytes)
            bytes += RawHTTP2Connection.frame(
                type: RawHTTP2Connection.FrameType.data,
                flags: end == body.count ? RawHTTP2Connection.Flags.endStream : 0,
                streamID: streamID, payload: Array(body[offset..<end]))
            offset = end
        } while offset < body.count
        return bytes
    }

    // MARK: Reading

    enum StreamOutcome: Equatable {
        case pending
        case status(Int)
        case reset(UInt32)
    }

    func outcome(of streamID: UInt32) -> StreamOutcome {
        if let status = statuses[streamID] { return .status(status) }
        if let code = resets[streamID] { return .reset(code) }
        return .pending
    }

    /// Reads and records frames until `done` holds, the server closes, or `timeout` seconds
    /// pass. Returns whether `done` held.
    @discardableResult
    func read(timeout: Double = 5, until done: (FrameProbe) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let frame = takeFrame() {
                record(frame)
                if done(self) { return true }
            }
            if done(self) { return true }
            if closed { return false }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            guard receive(waitingMilliseconds: Int32(min(remaining, 1) * 1000) + 1) else {
                continue
            }
        }
    }

    /// Reads until the server closes or `timeout` seconds pass. Returns whether it closed.
    func waitForClose(timeout: Double = 5) -> Bool {
        read(timeout: timeout) { $0.closed }
        return closed
    }

    /// One `poll` and `recv`. Returns whether bytes or the close arrived.
    private func receive(waitingMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: raw.fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, waitingMilliseconds)
        guard ready > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = recv(raw.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        if count > 0 {
            inbox.append(contentsOf: buffer[0..<count])
            return true
        }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            return false
        }
        closed = true
        return true
    }

    private func takeFrame() -> Frame? {
        guard inbox.count >= 9 else { return nil }
        let length = Int(inbox[0]) << 16 | Int(inbox[1]) << 8 | Int(inbox[2])
        guard inbox.count >= 9 + length else { return nil }
        let streamID = inbox[5..<9].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7fff_ffff
        let frame = Frame(
            type: inbox[3], flags: inbox[4], streamID: streamID,
            payload: Array(inbox[9..<9 + length]))
        inbox.removeFirst(9 + length)
        return frame
    }

    private func record(_ frame: Frame) {
        frameCount += 1
        let payload = frame.payload
        switch frame.type {
        case RawHTTP2Connection.FrameType.data:
            dataBytes[frame.streamID, default: 0] += payload.count
        case RawHTTP2Connection.FrameType.headers:
            var start = 0
            var end = payload.count
            if frame.flags & 0x8 != 0, let padding = payload.first {
                start += 1
                end -= Int(padding)
            }
            if frame.flags & 0x20 != 0 {
                start += 5
            }
            pendingBlock = start <= end ? Array(payload[start..<end]) : []
            pendingBlockStream = frame.streamID
            if frame.flags & RawHTTP2Connection.Flags.endHeaders != 0 {
                finishHeaderBlock()
            }
        case RawHTTP2Connection.FrameType.continuation:
            pendingBlock += payload
            if frame.flags & RawHTTP2Connection.Flags.endHeaders != 0 {
                finishHeaderBlock()
            }
        case RawHTTP2Connection.FrameType.resetStream where payload.count >= 4:
            resets[frame.streamID] = Self.uint32(payload, at: 0)
        case RawHTTP2Connection.FrameType.settings:
            if frame.flags & RawHTTP2Connection.Flags.ack != 0 {
                settingsAcks += 1
            } else {
                serverSettings = stride(from: 0, to: payload.count - 5, by: 6).map {
                    (UInt16(payload[$0]) << 8 | UInt16(payload[$0 + 1]),
                     Self.uint32(payload, at: $0 + 2))
                }
            }
        case RawHTTP2Connection.FrameType.ping:
            if frame.flags & RawHTTP2Connection.Flags.ack != 0 {
                pingAcks += 1
            }
        case RawHTTP2Connection.FrameType.goAway where payload.count >= 8:
            goAwayCode = Self.uint32(payload, at: 4)
        default:
            break
        }
    }

    private func finishHeaderBlock() {
        let fields = decode(pendingBlock)
        if let status = fields.first(where: { $0.0 == ":status" }).flatMap({ Int($0.1) }) {
            statuses[pendingBlockStream] = status
        }
        pendingBlock = []
    }

    /// Inflates one complete header block. The inflater keeps the connection's dynamic table,
    /// so every block must pass through here in the order it arrived.
    private func decode(_ block: [UInt8]) -> [(String, String)] {
        var fields: [(String, String)] = []
        var offset = 0
        while true {
            var field = nghttp2_nv()
            var flags: Int32 = 0
            let consumed = block.withUnsafeBufferPointer { bytes in
                nghttp2_hd_inflate_hd2(
                    inflater, &field, &flags, bytes.baseAddress.map { $0 + offset },
                    bytes.count - offset, 1)
            }
            guard consumed >= 0 else { return fields }
            offset += consumed
            if flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) != 0 {
                fields.append((
                    String(decoding: UnsafeBufferPointer(start: field.name, count: field.namelen),
                           as: UTF8.self),
                    String(
                        decoding: UnsafeBufferPointer(start: field.value, count: field.valuelen),
                        as: UTF8.self)))
            }
            if flags & Int32(NGHTTP2_HD_INFLATE_FINAL.rawValue) != 0 {
                nghttp2_hd_inflate_end_headers(inflater)
                return fields
            }
            if consumed == 0 && flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) == 0 {
                return fields
            }
        }
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// A plain TCP connection for HTTP/1.1 input no well-behaved client sends, read with deadlines.
final class HTTP1Probe {
    struct Response {
        let status: Int
        let head: String
        let body: [UInt8]
    }

    let raw: RawHTTP2Connection
    private var inbox: [UInt8] = []
    /// The server closed (FIN) or reset the connection.
    private(set) var closed = false

    init(port: Int) throws {
        raw = try RawHTTP2Connection(port: port)
    }

    @discardableResult
    func send(_ text: String) -> Bool {
        raw.send(Array(text.utf8))
    }

    /// Reads one response (a head and a Content-Length body), or nil at the deadline or close.
    func readResponse(timeout: Double = 5) -> Response? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let response = takeResponse() { return response }
            if closed { return nil }
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return nil }
            receive(waitingMilliseconds: Int32(min(remaining, 1) * 1000) + 1)
        }
    }

    /// Reads until the server closes or `timeout` seconds pass. Returns whether it closed.
    func waitForClose(timeout: Double = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !closed {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return false }
            receive(waitingMilliseconds: Int32(min(remaining, 1) * 1000) + 1)
        }
        return true
    }

    private func receive(waitingMilliseconds: Int32) {
        var descriptor = pollfd(fd: raw.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, waitingMilliseconds) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let count = recv(raw.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        if count > 0 {
            inbox.append(contentsOf: buffer[0..<count])
        } else if count == 0 || !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            closed = true
        }
    }

    private func takeResponse() -> Response? {
        let separator = Array("\r\n\r\n".utf8)
        guard inbox.count >= 4,
            let end = (0...(inbox.count - 4)).first(where: {
                inbox[$0..<$0 + 4].elementsEqual(separator)
            })
        else { return nil }
        let head = String(decoding: inbox[0..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        let length = lines.dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        guard inbox.count >= end + 4 + length else { return nil }
        let body = Array(inbox[(end + 4)..<(end + 4 + length)])
        inbox.removeFirst(end + 4 + length)
        return Response(status: status, head: head, body: body)
    }
}

/// SplitMix64: the same bytes on every run, so a fuzz failure can be replayed.
struct ProbeRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// A flag and a count set from handler threads and read by the test.
final class ProbeFlag: Sendable {
    private let state = Lock<Bool>(false)

    func set() {
        state.withLock { $0 = true }
    }

    var isSet: Bool {
        state.withLock { $0 }
    }
}

/// Responders a handler keeps without answering, so their requests stay in flight.
final class HeldResponders: Sendable {
    private let held = Lock<[Responder]>([])

    func hold(_ responder: Responder) {
        held.withLock { $0.append(responder) }
    }

    var count: Int {
        held.withLock { $0.count }
    }

    /// Answers every held request with `status` and forgets them.
    func answerAll(status: Int = 200) {
        let responders = held.withLock { held in
            defer { held.removeAll() }
            return held
        }
        for responder in responders {
            responder.respond(HTTPResponse(status: status))
        }
    }
}

/// The routes most hardening tests share: `GET /` answers 200 at once and `POST /upload`
/// answers 200 with the body's size.
enum HardeningRoutes {
    static func router(adding extra: (inout Router) -> Void = { _ in }) -> Router {
        var router = Router()
        router.add(.get, "/") { _, responder in
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "ok"))
        }
        router.add(.post, "/upload") { request, responder in
            responder.respond(HTTPResponse(
                status: 200, contentType: "text/plain", text: "\(request.body.count)"))
        }
        extra(&router)
        return router
    }

    /// A curl request's status code as text ("200"), or curl's failure.
    static func curlStatus(_ url: String, _ arguments: [String] = []) throws -> String {
        let output = try Command.run(
            "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"]
                + arguments + [url], timeout: 15)
        return output.stdout
    }
}

extension ServerLimits {
    /// Default limits with the sweep run often, so short timeouts are noticed quickly.
    static func hardening(_ change: (inout ServerLimits) -> Void = { _ in }) -> ServerLimits {
        var limits = ServerLimits()
        limits.sweepInterval = .milliseconds(50)
        change(&limits)
        return limits
    }
}
