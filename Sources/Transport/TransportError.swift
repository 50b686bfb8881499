import CSystem
import Glibc

/// An error from the transport: sockets, TLS, HTTP/2 sessions and clients.
///
/// A struct over a private code so that cases can be added without breaking callers; compare
/// with the static members (`error == .connectionClosed`).
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Code: Hashable, Sendable {
        case system(String, Int32)
        case addressInUse(String)
        case invalidAddress(String)
        case tls(String)
        case http2(String, Int32)
        case connectionClosed
        case connectionRefused
        case timeout
        case backingOff
        case streamReset(UInt32)
        case bodyTooLarge
        case protocolViolation(String)
        case shutdown
    }

    private let code: Code

    private init(_ code: Code) {
        self.code = code
    }

    /// A system call failed; `operation` names it, `errno` is its error number.
    public static func system(_ operation: String, errno: Int32) -> TransportError {
        TransportError(.system(operation, errno))
    }

    /// The listener's address is already taken by another socket.
    public static func addressInUse(_ address: String) -> TransportError {
        TransportError(.addressInUse(address))
    }

    /// A host and port that do not parse or resolve.
    public static func invalidAddress(_ address: String) -> TransportError {
        TransportError(.invalidAddress(address))
    }

    /// A TLS failure with OpenSSL's error queue as text.
    public static func tls(_ message: String) -> TransportError {
        TransportError(.tls(message))
    }

    /// An nghttp2 call failed with `code` (a negative `nghttp2_error`).
    public static func http2(_ operation: String, code: Int32) -> TransportError {
        TransportError(.http2(operation, code))
    }

    /// The peer stopped answering or the stream was reset with `code`.
    public static func streamReset(_ code: UInt32) -> TransportError {
        TransportError(.streamReset(code))
    }

    /// The peer broke the protocol in a way the message describes.
    public static func protocolViolation(_ message: String) -> TransportError {
        TransportError(.protocolViolation(message))
    }

    public static let connectionClosed = TransportError(.connectionClosed)
    public static let connectionRefused = TransportError(.connectionRefused)
    public static let timeout = TransportError(.timeout)
    /// A client is waiting out its reconnect backoff; the caller may retry later.
    public static let backingOff = TransportError(.backingOff)
    public static let bodyTooLarge = TransportError(.bodyTooLarge)
    public static let shutdown = TransportError(.shutdown)

    /// Whether retrying the same request later could succeed.
    public var isRetryable: Bool {
        switch code {
        case .connectionClosed, .connectionRefused, .timeout, .backingOff, .shutdown:
            return true
        case .streamReset(let code):
            return code == 7  // REFUSED_STREAM: the server did not process it.
        case .system, .http2:
            return true
        default:
            return false
        }
    }

    public var description: String {
        switch code {
        case .system(let operation, let number):
            return "\(operation) failed: \(String(cString: strerror(number))) (errno \(number))"
        case .addressInUse(let address):
            return "address \(address) is already in use"
        case .invalidAddress(let address):
            return "invalid address \(address)"
        case .tls(let message):
            return "TLS: \(message)"
        case .http2(let operation, let number):
            return "HTTP/2 \(operation) failed: \(Nghttp2Error.describe(number))"
        case .connectionClosed:
            return "connection closed"
        case .connectionRefused:
            return "connection refused"
        case .timeout:
            return "timed out"
        case .backingOff:
            return "reconnecting after a failure; try again shortly"
        case .streamReset(let number):
            return "stream reset by peer (HTTP/2 error code \(number))"
        case .bodyTooLarge:
            return "body larger than the limit"
        case .protocolViolation(let message):
            return "protocol violation: \(message)"
        case .shutdown:
            return "shutting down"
        }
    }
}
