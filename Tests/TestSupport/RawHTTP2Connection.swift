import CNghttp2
import Foundation
import Glibc

/// A blocking TCP connection that writes hand-made HTTP/2 frames and reads frames back, for
/// driving the server with input no well-behaved client would send.
public final class RawHTTP2Connection {
    public struct Frame: Sendable, CustomStringConvertible {
        public let type: UInt8
        public let flags: UInt8
        public let streamID: UInt32
        public let payload: [UInt8]

        public var description: String {
            "frame(type: \(type), flags: \(flags), stream: \(streamID), \(payload.count) bytes)"
        }

        /// For GOAWAY: the error code.
        public var goAwayCode: UInt32? {
            guard type == FrameType.goAway, payload.count >= 8 else { return nil }
            return Self.uint32(payload, at: 4)
        }

        /// For RST_STREAM: the error code.
        public var resetCode: UInt32? {
            guard type == FrameType.resetStream, payload.count >= 4 else { return nil }
            return Self.uint32(payload, at: 0)
        }

        /// For SETTINGS: the (identifier, value) pairs.
        public var settings: [(UInt16, UInt32)] {
            guard type == FrameType.settings else { return [] }
            return stride(from: 0, to: payload.count - 5, by: 6).map { offset in
                (UInt16(payload[offset]) << 8 | UInt16(payload[offset + 1]),
                 Self.uint32(payload, at: offset + 2))
            }
        }

        static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    public enum FrameType {
        public static let data: UInt8 = 0
        public static let headers: UInt8 = 1
        public static let resetStream: UInt8 = 3
        public static let settings: UInt8 = 4
        public static let ping: UInt8 = 6
        public static let goAway: UInt8 = 7
        public static let windowUpdate: UInt8 = 8
        public static let continuation: UInt8 = 9
    }

    public enum Flags {
        public static let endStream: UInt8 = 0x1
        public static let ack: UInt8 = 0x1
        public static let endHeaders: UInt8 = 0x4
    }

    public static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public let fd: Int32
    private var inbox: [UInt8] = []
    private let deflater: OpaquePointer
    private let inflater: OpaquePointer

    /// Connects to 127.0.0.1:`port`; reads give up after `readTimeout` seconds.
    public init(port: Int, readTimeout: Double = 5) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var created: OpaquePointer?
        nghttp2_hd_deflate_new(&created, 4096)
        deflater = created!
        var inflating: OpaquePointer?
        nghttp2_hd_inflate_new(&inflating)
        inflater = inflating!
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            throw RawConnectionError.connectFailed(errno)
        }
        var timeout = timeval(
            tv_sec: Int(readTimeout), tv_usec: Int((readTimeout - Double(Int(readTimeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        nghttp2_hd_deflate_del(deflater)
        nghttp2_hd_inflate_del(inflater)
    }

    /// Writes raw bytes; returns false when the peer has gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return false }
            offset += written
        }
        return true
    }

    /// Sends the client preface and an empty SETTINGS frame (or `settings`).
    public func start(settings: [(UInt16, UInt32)] = []) {
        send(Self.preface + Self.settingsFrame(settings))
    }

    /// Encodes a frame.
    public static func frame(
        type: UInt8, flags: UInt8 = 0, streamID: UInt32 = 0, payload: [UInt8] = []
    ) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff),
                type, flags] + bigEndian(streamID & 0x7fff_ffff) + payload
    }

    public static func settingsFrame(_ settings: [(UInt16, UInt32)], ack: Bool = false)
        -> [UInt8]
    {
        let payload = settings.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xff)] + bigEndian($0.1) }
        return frame(type: FrameType.settings, flags: ack ? Flags.ack : 0, payload: payload)
    }

    public static func resetFrame(streamID: UInt32, code: UInt32 = 8) -> [UInt8] {
        frame(type: FrameType.resetStream, streamID: streamID, payload: bigEndian(code))
    }

    public static func pingFrame(_ opaque: UInt64 = 0) -> [UInt8] {
        frame(type: FrameType.ping, payload: (0..<8).map { UInt8(opaque >> (56 - 8 * $0) & 0xff) })
    }

    /// HPACK-encodes a request's header block: pseudo-headers first, then `extra`.
    public func headerBlock(
        method: String = "GET", path: String = "/", extra: [(String, String)] = []
    ) -> [UInt8] {
        let fields = [(":method", method), (":path", path), (":scheme", "http"),
                      (":authority", "127.0.0.1")] + extra
        var bytes: [UInt8] = []
        var spans: [(Int, Int, Int, Int)] = []
        for (name, value) in fields {
            let nameStart = bytes.count
            bytes += Array(name.utf8)
            let valueStart = bytes.count
            bytes += Array(value.utf8)
            spans.append((nameStart, name.utf8.count, valueStart, value.utf8.count))
        }
        return bytes.withUnsafeMutableBufferPointer { raw -> [UInt8] in
            let base = raw.baseAddress!
            let nv = spans.map {
                nghttp2_nv(name: base + $0.0, value: base + $0.2, namelen: $0.1,
                           valuelen: $0.3, flags: 0)
            }
            let bound = nghttp2_hd_deflate_bound(deflater, nv, nv.count)
            var output = [UInt8](repeating: 0, count: bound)
            let length = nghttp2_hd_deflate_hd(deflater, &output, bound, nv, nv.count)
            return Array(output.prefix(max(0, length)))
        }
    }

    /// A decoded header field, with whether it was sent as "never indexed".
    public struct DecodedField: Sendable, Equatable {
        public let name: String
        public let value: String
        public let neverIndexed: Bool
    }

    /// Decodes the header block of a HEADERS frame from the server (without padding or
    /// priority), keeping this connection's HPACK table in step: decode every HEADERS frame
    /// the server sends, in order.
    public func decodeHeaders(_ frame: Frame) -> [DecodedField] {
        var fields: [DecodedField] = []
        var input = frame.payload
        input.withUnsafeMutableBufferPointer { bytes in
            var offset = 0
            while true {
                var nv = nghttp2_nv()
                var flags: Int32 = 0
                let used = nghttp2_hd_inflate_hd2(
                    inflater, &nv, &flags, bytes.baseAddress! + offset, bytes.count - offset, 1)
                if used < 0 { return }
                offset += used
                if flags & Int32(NGHTTP2_HD_INFLATE_EMIT.rawValue) != 0 {
                    fields.append(DecodedField(
                        name: String(decoding: UnsafeBufferPointer(
                            start: nv.name, count: nv.namelen), as: UTF8.self),
                        value: String(decoding: UnsafeBufferPointer(
                            start: nv.value, count: nv.valuelen), as: UTF8.self),
                        neverIndexed: nv.flags & UInt8(NGHTTP2_NV_FLAG_NO_INDEX.rawValue) != 0))
                }
                if flags & Int32(NGHTTP2_HD_INFLATE_FINAL.rawValue) != 0 {
                    nghttp2_hd_inflate_end_headers(inflater)
                    return
                }
                if used == 0 && offset >= bytes.count { return }
            }
        }
        return fields
    }

    /// A HEADERS frame for a request on `streamID`.
    public func requestFrame(
        streamID: UInt32, method: String = "GET", path: String = "/",
        extra: [(String, String)] = [], endStream: Bool = true
    ) -> [UInt8] {
        Self.frame(
            type: FrameType.headers,
            flags: Flags.endHeaders | (endStream ? Flags.endStream : 0), streamID: streamID,
            payload: headerBlock(method: method, path: path, extra: extra))
    }

    /// Reads the next frame; nil when the connection closed or the read timed out.
    public func readFrame() -> Frame? {
        while true {
            if inbox.count >= 9 {
                let length = Int(inbox[0]) << 16 | Int(inbox[1]) << 8 | Int(inbox[2])
                if inbox.count >= 9 + length {
                    let frame = Frame(
                        type: inbox[3], flags: inbox[4],
                        streamID: Frame.uint32(Array(inbox[5..<9]), at: 0) & 0x7fff_ffff,
                        payload: Array(inbox[9..<9 + length]))
                    inbox.removeFirst(9 + length)
                    return frame
                }
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            inbox.append(contentsOf: buffer[0..<count])
        }
    }

    /// Reads frames until one satisfies `match` (returned) or the connection ends (nil).
    public func readUntil(_ match: (Frame) -> Bool) -> Frame? {
        while let frame = readFrame() {
            if match(frame) { return frame }
        }
        return nil
    }

    /// Whether the server has closed the connection: reads drain to EOF within the timeout.
    public func waitForClose() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff),
         UInt8(value & 0xff)]
    }
}

public enum RawConnectionError: Error {
    case connectFailed(Int32)
}
