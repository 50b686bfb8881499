import JSON
import Locks

/// What a customer token says: who it is for, which key signed it, and when it expires.
public struct TokenClaims: Sendable, Equatable {
    public var keyID: String
    public var accountID: String
    public var issuedAtSeconds: Int64
    public var expiresAtSeconds: Int64

    public init(
        keyID: String, accountID: String, issuedAtSeconds: Int64, expiresAtSeconds: Int64
    ) {
        self.keyID = keyID
        self.accountID = accountID
        self.issuedAtSeconds = issuedAtSeconds
        self.expiresAtSeconds = expiresAtSeconds
    }
}

/// Customer bearer tokens: `PAYLOAD.SIGNATURE`, both base64url without padding, where the
/// payload is the JSON `{"kid","sub","iat","exp"}` (times in Unix seconds) and the signature
/// is Ed25519 over the payload's base64url text. The key id lets keys rotate: verifiers hold
/// every key still in use, and the origin signs with the newest.
public enum CustomerToken {
    public static let maxBytes = 1024

    /// A signed token for `claims`.
    public static func issue(_ claims: TokenClaims, key: SigningKey) -> String {
        var writer = JSONWriter(capacity: 128)
        writer.beginObject()
        writer.key("kid")
        writer.string(claims.keyID)
        writer.key("sub")
        writer.string(claims.accountID)
        writer.key("iat")
        writer.int(claims.issuedAtSeconds)
        writer.key("exp")
        writer.int(claims.expiresAtSeconds)
        writer.endObject()
        let payload = Base64URL.encode(writer.bytes)
        let signature = Base64URL.encode(key.sign(payload))
        return String(decoding: payload + [UInt8(ascii: ".")] + signature, as: UTF8.self)
    }
}

/// Checks customer tokens against the public keys in use. Any thread.
///
/// A customer sends the same token with every request, and an Ed25519 verification costs
/// about as much as the rest of a bet's handling at the edge, so a token whose signature
/// verified is remembered (its exact bytes, up to `cacheCapacity` of them): later uses check
/// only its times. Tokens that fail are not remembered.
public struct TokenVerifier: Sendable {
    private let keys: [String: VerifyingKey]
    private let verified = VerifiedTokens()
    /// How far a token's issue time may lie ahead of this machine's clock.
    public var allowedClockSkewSeconds: Int64 = 60

    public init(keys: [String: VerifyingKey]) {
        self.keys = keys
    }

    public var isEmpty: Bool { keys.isEmpty }

    /// The token's claims when it is well formed, signed by a known key, and current at
    /// `nowSeconds`; otherwise why not.
    public func verify(_ token: some StringProtocol, nowSeconds: Int64)
        -> Result<TokenClaims, TokenError>
    {
        let text = String(token)
        if let claims = verified.claims(of: text) {
            return check(times: claims, nowSeconds: nowSeconds)
        }
        let bytes = Array(text.utf8)
        guard bytes.count <= CustomerToken.maxBytes,
            let dot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let payloadJSON = Base64URL.decode(bytes[..<dot]),
            let signature = Base64URL.decode(bytes[(dot + 1)...]),
            let claims = Self.claims(payloadJSON)
        else {
            return .failure(TokenError(.malformed, "the token is not well formed"))
        }
        guard let key = keys[claims.keyID] else {
            return .failure(TokenError(.unknownKey, "the token's key is not known here"))
        }
        guard key.verify(signature, of: bytes[..<dot]) else {
            return .failure(TokenError(.badSignature, "the token's signature does not verify"))
        }
        verified.remember(text, claims)
        return check(times: claims, nowSeconds: nowSeconds)
    }

    private func check(times claims: TokenClaims, nowSeconds: Int64)
        -> Result<TokenClaims, TokenError>
    {
        guard claims.expiresAtSeconds > nowSeconds else {
            return .failure(TokenError(.expired, "the token has expired"))
        }
        guard claims.issuedAtSeconds <= nowSeconds + allowedClockSkewSeconds else {
            return .failure(TokenError(.notYetValid, "the token is not valid yet"))
        }
        return .success(claims)
    }

    private static func claims(_ json: [UInt8]) -> TokenClaims? {
        guard let value = try? JSONParser.parse(json),
            var reader = try? JSONObjectReader(value, path: ""),
            let keyID = try? reader.string("kid"),
            let account = try? reader.string("sub"),
            let issued = try? reader.int("iat"),
            let expires = try? reader.int("exp"),
            (try? reader.finish()) != nil
        else { return nil }
        return TokenClaims(
            keyID: keyID, accountID: account, issuedAtSeconds: issued, expiresAtSeconds: expires)
    }
}

/// Tokens whose signatures verified, with their claims. Full at `capacity`: then it starts
/// again empty, which costs one verification per customer and keeps memory bounded.
final class VerifiedTokens: Sendable {
    static let capacity = 50_000
    private let tokens = Lock<[String: TokenClaims]>([:])

    func claims(of token: String) -> TokenClaims? {
        tokens.withLock { $0[token] }
    }

    func remember(_ token: String, _ claims: TokenClaims) {
        tokens.withLock {
            if $0.count >= Self.capacity {
                $0.removeAll(keepingCapacity: true)
            }
            $0[token] = claims
        }
    }
}

/// Why a token was refused.
public struct TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        case malformed
        case unknownKey = "unknown_key"
        case badSignature = "bad_signature"
        case expired
        case notYetValid = "not_yet_valid"
    }

    public let reason: Reason
    public let message: String

    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}
