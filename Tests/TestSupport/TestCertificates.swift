import Foundation

/// A CA and a server certificate for 127.0.0.1 and localhost, made with the openssl command.
public struct TestCertificates: Sendable {
    public let caCertificate: String
    public let serverCertificate: String
    public let serverKey: String
    /// A second CA that signed nothing: trusting it must fail.
    public let otherCA: String
    public let clientCertificate: String
    public let clientKey: String

    public init(in directory: TemporaryDirectory) throws {
        func file(_ name: String) -> String { directory.file(name) }
        caCertificate = file("ca.pem")
        serverCertificate = file("server.pem")
        serverKey = file("server.key")
        otherCA = file("other-ca.pem")
        clientCertificate = file("client.pem")
        clientKey = file("client.key")
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                          "-subj", "/CN=Oddsnet Test CA", "-keyout", file("ca.key"),
                          "-out", caCertificate])
        try Self.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                          "-subj", "/CN=Other CA", "-keyout", file("other-ca.key"),
                          "-out", otherCA])
        try Self.issue(name: "server", subject: "/CN=localhost", directory: directory,
                       extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost")
        try Self.issue(name: "client", subject: "/CN=edge-test", directory: directory,
                       extensions: "extendedKeyUsage=clientAuth")
    }

    private static func issue(
        name: String, subject: String, directory: TemporaryDirectory, extensions: String
    ) throws {
        let extFile = directory.file("\(name).ext")
        try extensions.write(toFile: extFile, atomically: true, encoding: .utf8)
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                     "-nodes", "-subj", subject, "-keyout", directory.file("\(name).key"),
                     "-out", directory.file("\(name).csr")])
        try openssl(["x509", "-req", "-in", directory.file("\(name).csr"), "-CA",
                     directory.file("ca.pem"), "-CAkey", directory.file("ca.key"),
                     "-CAcreateserial", "-days", "2", "-extfile", extFile,
                     "-out", directory.file("\(name).pem")])
    }

    private static func openssl(_ arguments: [String]) throws {
        let output = try Command.run("openssl", arguments)
        guard output.status == 0 else {
            throw CertificateError(message: "openssl \(arguments[0]): \(output.stderr)")
        }
    }
}

public struct CertificateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
