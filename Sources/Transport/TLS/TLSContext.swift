import COpenSSL

/// An OpenSSL `SSL_CTX`, made once per listener or client and shared by its connections.
final class TLSContext: @unchecked Sendable {
    // @unchecked: an SSL_CTX is safe to share across threads once configured; it is
    // configured entirely in the initializers and only read afterwards.

    let pointer: OpaquePointer

    private init(method: OpaquePointer?) throws(TransportError) {
        guard let method, let context = SSL_CTX_new(method) else {
            throw .tls("SSL_CTX_new: \(TLSContext.drainErrors())")
        }
        pointer = context
        oddsnet_ssl_ctx_set_min_proto(context, TLS1_2_VERSION)
        // Partial writes and moving buffers: the connection retries with what is left.
        _ = oddsnet_ssl_ctx_set_mode(
            context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
                | SSL_MODE_RELEASE_BUFFERS))
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    /// A server context from PEM files, offering ALPN `h2` first and `http/1.1` second.
    /// Throws naming the file that could not be used.
    static func server(
        _ configuration: TLSServerConfiguration
    ) throws(TransportError) -> TLSContext {
        let context = try TLSContext(method: TLS_server_method())
        guard SSL_CTX_use_certificate_chain_file(
            context.pointer, configuration.certificatePath) == 1
        else {
            throw .tls("certificate \(configuration.certificatePath): \(drainErrors())")
        }
        guard SSL_CTX_use_PrivateKey_file(
            context.pointer, configuration.keyPath, SSL_FILETYPE_PEM) == 1
        else {
            throw .tls("key \(configuration.keyPath): \(drainErrors())")
        }
        guard SSL_CTX_check_private_key(context.pointer) == 1 else {
            throw .tls("key \(configuration.keyPath) does not match the certificate")
        }
        SSL_CTX_set_alpn_select_cb(context.pointer, selectApplicationProtocol, nil)
        return context
    }

    /// A client context that verifies the server against `caFilePath` (or the system
    /// store), offering ALPN `h2`. Throws naming the file that could not be used.
    static func client(
        _ configuration: TLSClientConfiguration
    ) throws(TransportError) -> TLSContext {
        let context = try TLSContext(method: TLS_client_method())
        SSL_CTX_set_verify(context.pointer, SSL_VERIFY_PEER, nil)
        if let caFile = configuration.caFilePath {
            guard SSL_CTX_load_verify_locations(context.pointer, caFile, nil) == 1 else {
                throw .tls("CA file \(caFile): \(drainErrors())")
            }
        } else {
            SSL_CTX_set_default_verify_paths(context.pointer)
        }
        if let certificate = configuration.certificatePath {
            guard SSL_CTX_use_certificate_chain_file(context.pointer, certificate) == 1 else {
                throw .tls("client certificate \(certificate): \(drainErrors())")
            }
            let key = configuration.keyPath ?? certificate
            guard SSL_CTX_use_PrivateKey_file(context.pointer, key, SSL_FILETYPE_PEM) == 1 else {
                throw .tls("client key \(key): \(drainErrors())")
            }
        }
        let protocols: [UInt8] = [2] + Array("h2".utf8)
        guard SSL_CTX_set_alpn_protos(context.pointer, protocols, UInt32(protocols.count)) == 0
        else {
            throw .tls("ALPN: \(drainErrors())")
        }
        return context
    }

    /// Empties OpenSSL's thread-local error queue into one line of text.
    static func drainErrors() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            let text = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            messages.append(String(decoding: text, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown error" : messages.joined(separator: "; ")
    }
}

/// ALPN selection on the server: `h2` when offered, else `http/1.1`, else no agreement.
private func selectApplicationProtocol(
    _ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
    _ outLength: UnsafeMutablePointer<UInt8>?, _ offered: UnsafePointer<UInt8>?,
    _ offeredLength: UInt32, _ argument: UnsafeMutableRawPointer?
) -> Int32 {
    guard let offered, let out, let outLength else { return SSL_TLSEXT_ERR_NOACK }
    for wanted in ["h2", "http/1.1"] {
        let wantedBytes = Array(wanted.utf8)
        var index = 0
        while index < Int(offeredLength) {
            let length = Int(offered[index])
            let start = index + 1
            guard start + length <= Int(offeredLength) else { break }
            if length == wantedBytes.count,
                (0..<length).allSatisfy({ offered[start + $0] == wantedBytes[$0] })
            {
                out.pointee = offered + start
                outLength.pointee = UInt8(length)
                return SSL_TLSEXT_ERR_OK
            }
            index = start + length
        }
    }
    return SSL_TLSEXT_ERR_NOACK
}
