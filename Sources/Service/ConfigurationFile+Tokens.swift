import Identity
import JSON

extension ConfigurationFile {
    /// The `tokenKeys` list, `[{"id": "k1", "publicKeyFile": FILE}]`: the public keys that
    /// customer tokens may be signed with (more than one during a rotation). Each file is read
    /// now; one that cannot be used is named with its key path.
    public func tokenVerifier(_ reader: inout JSONObjectReader, _ key: String) throws
        -> TokenVerifier
    {
        guard reader.contains(key) else { return TokenVerifier(keys: [:]) }
        var keys: [String: VerifyingKey] = [:]
        for (index, var item) in try reader.objectArray(key).enumerated() {
            let id = try item.string("id")
            guard !id.isEmpty, keys[id] == nil else {
                throw JSONFieldError(path: item.path(of: "id"), message: "empty or repeated id")
            }
            let file = resolve(try item.string("publicKeyFile"))
            do {
                keys[id] = try VerifyingKey(pemFile: file)
            } catch {
                throw JSONFieldError(path: "\(key)[\(index)].publicKeyFile", message: "\(error)")
            }
            try item.finish()
        }
        return TokenVerifier(keys: keys)
    }

    /// A `{"id": "k2", "privateKeyFile": FILE}` block: the key new tokens are signed with.
    public func signingKey(_ reader: inout JSONObjectReader, _ key: String) throws
        -> (id: String, key: SigningKey)?
    {
        guard reader.contains(key) else { return nil }
        var block = try reader.object(key)
        let id = try block.string("id")
        guard !id.isEmpty else {
            throw JSONFieldError(path: block.path(of: "id"), message: "empty id")
        }
        let file = resolve(try block.string("privateKeyFile"))
        let signing: SigningKey
        do {
            signing = try SigningKey(pemFile: file)
        } catch {
            throw JSONFieldError(path: block.path(of: "privateKeyFile"), message: "\(error)")
        }
        try block.finish()
        return (id, signing)
    }
}
