/// TLS for a listener: a certificate chain and its private key, both PEM files.
public struct TLSServerConfiguration: Sendable, Equatable {
    public var certificatePath: String
    public var keyPath: String

    public init(certificatePath: String, keyPath: String) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}

/// TLS for a client: the CA file that signs the server's certificate, the name to verify,
/// and an optional client certificate for mutual TLS.
public struct TLSClientConfiguration: Sendable, Equatable {
    /// PEM file of trusted CAs; nil uses the system's default trust store.
    public var caFilePath: String?
    /// Name sent in SNI and checked against the certificate; nil uses the host dialled.
    public var serverName: String?
    public var certificatePath: String?
    public var keyPath: String?

    public init(
        caFilePath: String? = nil, serverName: String? = nil,
        certificatePath: String? = nil, keyPath: String? = nil
    ) {
        self.caFilePath = caFilePath
        self.serverName = serverName
        self.certificatePath = certificatePath
        self.keyPath = keyPath
    }
}
