@testable import Identity
import TestSupport
import XCTest

final class CustomerTokenTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    private func claims(kid: String = "k1", expires: Int64 = 2_000) -> TokenClaims {
        TokenClaims(
            keyID: kid, accountID: "acc-1", issuedAtSeconds: 1_000, expiresAtSeconds: expires)
    }

    func testATokenVerifiesWithItsKeyUntilItExpires() throws {
        let files = try TestSigningKeys.make("k1", in: directory)
        let token = CustomerToken.issue(claims(), key: try SigningKey(pemFile: files.privateKey))
        let verifier = TokenVerifier(keys: ["k1": try VerifyingKey(pemFile: files.publicKey)])

        XCTAssertEqual(try verifier.verify(token, nowSeconds: 1_500).get(), claims())
        XCTAssertEqual(verifier.verify(token, nowSeconds: 2_000).failureReason, .expired)
        XCTAssertEqual(verifier.verify(token, nowSeconds: 950).failureReason, nil)
        XCTAssertEqual(verifier.verify(token, nowSeconds: 1_000 - 61).failureReason, .notYetValid)
    }

    func testForgedAndTamperedTokensAreRefused() throws {
        let files = try TestSigningKeys.make("k1", in: directory)
        let other = try TestSigningKeys.make("other", in: directory)
        let verifier = TokenVerifier(keys: ["k1": try VerifyingKey(pemFile: files.publicKey)])

        // Signed by a key the verifier does not hold, under the trusted key id.
        let forged = CustomerToken.issue(claims(), key: try SigningKey(pemFile: other.privateKey))
        XCTAssertEqual(verifier.verify(forged, nowSeconds: 1_500).failureReason, .badSignature)

        // The payload changed to another account, the signature kept.
        let genuine = CustomerToken.issue(claims(), key: try SigningKey(pemFile: files.privateKey))
        let signature = genuine.split(separator: ".")[1]
        var changed = claims()
        changed.accountID = "acc-2"
        let payload = CustomerToken.issue(changed, key: try SigningKey(pemFile: files.privateKey))
            .split(separator: ".")[0]
        XCTAssertEqual(
            verifier.verify("\(payload).\(signature)", nowSeconds: 1_500).failureReason,
            .badSignature)

        let unknown = CustomerToken.issue(
            claims(kid: "k9"), key: try SigningKey(pemFile: files.privateKey))
        XCTAssertEqual(verifier.verify(unknown, nowSeconds: 1_500).failureReason, .unknownKey)

        for garbage in [
            "", ".", "abc", "a.b.c", genuine + "x", String(repeating: "A", count: 5000),
            "eyJ9.AAAA", "\u{0}.\u{0}",
        ] {
            XCTAssertNotNil(verifier.verify(garbage, nowSeconds: 1_500).failureReason, garbage)
        }
    }

    func testDuringARotationBothKeysVerify() throws {
        let old = try TestSigningKeys.make("old", in: directory)
        let new = try TestSigningKeys.make("new", in: directory)
        let verifier = TokenVerifier(keys: [
            "old": try VerifyingKey(pemFile: old.publicKey),
            "new": try VerifyingKey(pemFile: new.publicKey),
        ])
        let before = CustomerToken.issue(
            claims(kid: "old"), key: try SigningKey(pemFile: old.privateKey))
        let after = CustomerToken.issue(
            claims(kid: "new"), key: try SigningKey(pemFile: new.privateKey))
        XCTAssertNil(verifier.verify(before, nowSeconds: 1_500).failureReason)
        XCTAssertNil(verifier.verify(after, nowSeconds: 1_500).failureReason)
    }

    func testKeyFilesThatCannotBeUsedAreNamed() throws {
        let files = try TestSigningKeys.make("k1", in: directory)
        XCTAssertThrowsError(try SigningKey(pemFile: directory.file("missing.key"))) {
            XCTAssertTrue("\($0)".contains("missing.key"))
        }
        XCTAssertThrowsError(try SigningKey(pemFile: files.publicKey))
        XCTAssertThrowsError(try VerifyingKey(pemFile: files.privateKey))
        let rsa = directory.file("rsa.key")
        _ = try Command.run("openssl", ["genpkey", "-algorithm", "rsa", "-out", rsa])
        XCTAssertThrowsError(try SigningKey(pemFile: rsa)) {
            XCTAssertTrue("\($0)".contains("another algorithm"), "\($0)")
        }
    }

    func testBase64URLRoundTripsAndRefusesNonCanonicalText() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            let encoded = Base64URL.encode(bytes)
            XCTAssertEqual(Base64URL.decode(encoded[...]), bytes)
            XCTAssertFalse(encoded.contains(UInt8(ascii: "=")))
        }
        XCTAssertNil(Base64URL.decode(Array("A".utf8)[...]))
        XCTAssertNil(Base64URL.decode(Array("AB".utf8)[...]), "stray bits after the last byte")
        XCTAssertNil(Base64URL.decode(Array("A+==".utf8)[...]))
    }
}

extension Result {
    fileprivate var failureReason: TokenError.Reason? {
        if case .failure(let error as TokenError) = self { return error.reason }
        return nil
    }
}
