import Foundation

/// Ed25519 key pairs made with the openssl command, as an operator makes them.
public enum TestSigningKeys {
    /// Writes `NAME.key` (private) and `NAME.pub` (public) in `directory`; returns the paths.
    public static func make(_ name: String, in directory: TemporaryDirectory) throws
        -> (privateKey: String, publicKey: String)
    {
        let privateKey = directory.file("\(name).key")
        let publicKey = directory.file("\(name).pub")
        let made = try Command.run(
            "openssl", ["genpkey", "-algorithm", "ed25519", "-out", privateKey])
        guard made.status == 0 else { throw NetworkTestError.unexpected(made.stderr) }
        let derived = try Command.run(
            "openssl", ["pkey", "-in", privateKey, "-pubout", "-out", publicKey])
        guard derived.status == 0 else { throw NetworkTestError.unexpected(derived.stderr) }
        return (privateKey, publicKey)
    }
}
