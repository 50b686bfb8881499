import COpenSSL
import CSystem
import Glibc

/// One TLS connection over a nonblocking socket. Owned by one event loop.
final class TLSSession {
    enum Progress {
        case done
        case wantRead
        case wantWrite
        case closed
        case failed(String)
    }

    private let ssl: OpaquePointer

    /// Wraps `fd`; `serverName` is sent in SNI and verified on a client.
    init(context: TLSContext, fd: Int32, isServer: Bool, serverName: String? = nil)
        throws(TransportError)
    {
        guard let ssl = SSL_new(context.pointer) else {
            throw .tls("SSL_new: \(TLSContext.drainErrors())")
        }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        if isServer {
            SSL_set_accept_state(ssl)
        } else {
            SSL_set_connect_state(ssl)
            if let serverName {
                _ = oddsnet_ssl_set_host_name(ssl, serverName)
                SSL_set1_host(ssl, serverName)
            }
        }
    }

    deinit {
        SSL_free(ssl)
    }

    /// Advances the handshake.
    func handshake() -> Progress {
        let result = SSL_do_handshake(ssl)
        return result == 1 ? .done : progress(after: result)
    }

    /// The protocol agreed by ALPN, or nil.
    var negotiatedProtocol: String? {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data, length > 0 else { return nil }
        return String(
            decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// Reads decrypted bytes. Returns the count, or the reason none came.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> (Int, Progress) {
        var count = 0
        let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        return result == 1 ? (count, .done) : (0, progress(after: result))
    }

    /// Writes bytes to be encrypted. Returns the count taken, or the reason none were.
    func write(_ buffer: UnsafeRawBufferPointer) -> (Int, Progress) {
        var count = 0
        let result = SSL_write_ex(ssl, buffer.baseAddress, buffer.count, &count)
        return result == 1 ? (count, .done) : (0, progress(after: result))
    }

    /// Whether decrypted bytes wait inside OpenSSL that the socket will not signal again.
    var hasBufferedPlaintext: Bool {
        SSL_pending(ssl) > 0
    }

    /// Sends close_notify, best effort.
    func shutdown() {
        SSL_shutdown(ssl)
    }

    private func progress(after result: Int32) -> Progress {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ:
            return .wantRead
        case SSL_ERROR_WANT_WRITE:
            return .wantWrite
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        case SSL_ERROR_SYSCALL:
            let number = errno
            _ = TLSContext.drainErrors()
            return number == 0 ? .closed : .failed(String(cString: strerror(number)))
        default:
            return .failed(TLSContext.drainErrors())
        }
    }
}
