import COpenSSL

/// An Ed25519 private key, read from a PEM file (`openssl genpkey -algorithm ed25519`), that
/// signs tokens.
///
/// `@unchecked Sendable`: the key is never changed after it is read, and OpenSSL allows one
/// `EVP_PKEY` to be used from many threads at once when each operation has its own context,
/// as `sign` does.
public final class SigningKey: @unchecked Sendable {
    private let key: OpaquePointer

    /// Reads the private key at `path`. Throws when the file cannot be read or does not hold
    /// an Ed25519 private key.
    public init(pemFile path: String) throws(KeyError) {
        key = try Self.read(path, what: "an Ed25519 private key") { bio in
            PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// The 64-byte signature of `message`.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        var signature = [UInt8](repeating: 0, count: Ed25519.signatureBytes)
        var length = signature.count
        let signed = EVP_DigestSignInit(context, nil, nil, nil, key) == 1
            && message.withUnsafeBufferPointer { bytes in
                EVP_DigestSign(context, &signature, &length, bytes.baseAddress, bytes.count)
            } == 1
        // Signing with a loaded Ed25519 key fails only when memory runs out.
        precondition(signed && length == Ed25519.signatureBytes, "Ed25519 signing failed")
        return signature
    }

    static func read(
        _ path: String, what: String, _ body: (OpaquePointer) -> OpaquePointer?
    ) throws(KeyError) -> OpaquePointer {
        guard let bio = BIO_new_file(path, "r") else {
            ERR_clear_error()
            throw KeyError("\(path): cannot be read")
        }
        defer { BIO_free(bio) }
        guard let key = body(bio) else {
            ERR_clear_error()
            throw KeyError("\(path): not \(what) in PEM form")
        }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw KeyError("\(path): not \(what) (another algorithm)")
        }
        return key
    }
}

/// An Ed25519 public key, read from a PEM file (`openssl pkey -pubout`), that verifies
/// tokens. `@unchecked Sendable` for the same reason as `SigningKey`.
public final class VerifyingKey: @unchecked Sendable {
    private let key: OpaquePointer

    public init(pemFile path: String) throws(KeyError) {
        key = try SigningKey.read(path, what: "an Ed25519 public key") { bio in
            PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Whether `signature` is this key's signature of `message`.
    public func verify(_ signature: [UInt8], of message: ArraySlice<UInt8>) -> Bool {
        guard signature.count == Ed25519.signatureBytes else { return false }
        let context = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let valid = message.withUnsafeBufferPointer { bytes in
            EVP_DigestVerify(context, signature, signature.count, bytes.baseAddress, bytes.count)
        } == 1
        ERR_clear_error()
        return valid
    }
}

enum Ed25519 {
    static let signatureBytes = 64
}

/// A key file that could not be used.
public struct KeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
