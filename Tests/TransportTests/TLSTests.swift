import Foundation
import Glibc
import Testing
import TestSupport
@testable import Transport

/// TLS with ALPN, against certificates the test makes with openssl.
@Suite(.serialized) struct TLSTests {
    private func start() throws -> (TestServer, TestCertificates, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        let certificates = try TestCertificates(in: directory)
        let server = try TestServer(
            router: TestRoutes.router(),
            tls: TLSServerConfiguration(
                certificatePath: certificates.serverCertificate,
                keyPath: certificates.serverKey))
        return (server, certificates, directory)
    }

    @Test func curlNegotiatesHTTP2OverTLS() throws {
        let (server, certificates, directory) = try start()
        defer { server.stop(); directory.remove() }
        let output = try Command.run("curl", [
            "-sS", "--cacert", certificates.caCertificate, "-w", "\n%{http_version}",
            "https://127.0.0.1:\(server.port)/hello",
        ])
        #expect(output.stdout == "hello\n2")
    }

    @Test func curlFallsBackToHTTP11OverTLS() throws {
        let (server, certificates, directory) = try start()
        defer { server.stop(); directory.remove() }
        let output = try Command.run("curl", [
            "-sS", "--http1.1", "--cacert", certificates.caCertificate, "-w", "\n%{http_version}",
            "https://127.0.0.1:\(server.port)/hello",
        ])
        #expect(output.stdout == "hello\n1.1")
    }

    @Test func curlRejectsAServerItDoesNotTrust() throws {
        let (server, certificates, directory) = try start()
        defer { server.stop(); directory.remove() }
        let output = try Command.run("curl", [
            "-sS", "--cacert", certificates.otherCA, "https://127.0.0.1:\(server.port)/hello",
        ])
        #expect(output.status == 60)  // curl: peer certificate cannot be authenticated
    }

    @Test func ownClientVerifiesAgainstTheCA() async throws {
        let (server, certificates, directory) = try start()
        defer { server.stop(); directory.remove() }
        let client = try ClientFixture(
            port: server.port, tls: TLSClientConfiguration(caFilePath: certificates.caCertificate))
        defer { client.close() }
        let body = TestRoutes.pattern(1 << 20)
        let response = try await client.client.execute(
            HTTPClientRequest(method: .post, path: "/echo", body: body))
        #expect(response.body == body)
    }

    @Test func ownClientFailsOnTheWrongCA() async throws {
        let (server, certificates, directory) = try start()
        defer { server.stop(); directory.remove() }
        let client = try ClientFixture(
            port: server.port, tls: TLSClientConfiguration(caFilePath: certificates.otherCA))
        defer { client.close() }
        do {
            _ = try await client.client.execute(HTTPClientRequest(path: "/hello"))
            Issue.record("a server signed by another CA was trusted")
        } catch {
            #expect("\(error)".contains("certificate verify failed"))
        }
    }

    @Test func ownClientFailsOnTheWrongName() async throws {
        let (server, certificates, directory) = try start()
        defer { server.stop(); directory.remove() }
        let client = try ClientFixture(
            port: server.port,
            tls: TLSClientConfiguration(
                caFilePath: certificates.caCertificate, serverName: "origin.example"))
        defer { client.close() }
        await #expect(throws: TransportError.self) {
            try await client.client.execute(HTTPClientRequest(path: "/hello"))
        }
    }

    @Test func ownClientPresentsItsCertificateForMutualTLS() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let certificates = try TestCertificates(in: directory)
        let port = try FreePort.pick()
        let docroot = directory.file("www")
        try FileManager.default.createDirectory(atPath: docroot, withIntermediateDirectories: true)
        try "mutual".write(toFile: docroot + "/hello", atomically: true, encoding: .utf8)
        // nghttpd is a real peer that ends the handshake when the client sends no certificate.
        let peer = Process()
        peer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        peer.arguments = ["nghttpd", "--verify-client", "-d", docroot, "-a", "127.0.0.1",
                          String(port), certificates.serverKey, certificates.serverCertificate]
        peer.standardOutput = FileHandle.nullDevice
        peer.standardError = FileHandle.nullDevice
        try peer.run()
        defer {
            // nghttpd does not stop on SIGTERM.
            kill(peer.processIdentifier, SIGKILL)
            _ = Eventually.wait(timeout: 10) { !peer.isRunning }
        }

        let withCertificate = try ClientFixture(
            port: port,
            tls: TLSClientConfiguration(
                caFilePath: certificates.caCertificate,
                certificatePath: certificates.clientCertificate,
                keyPath: certificates.clientKey))
        defer { withCertificate.close() }
        var answer: HTTPClientResponse?
        let deadline = Date().addingTimeInterval(10)
        while answer == nil && Date() < deadline {
            answer = try? await withCertificate.client.execute(HTTPClientRequest(path: "/hello"))
            if answer == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(answer?.text == "mutual")

        let without = try ClientFixture(
            port: port, tls: TLSClientConfiguration(caFilePath: certificates.caCertificate))
        defer { without.close() }
        let refused = try? await without.client.execute(HTTPClientRequest(path: "/hello"))
        #expect(refused == nil)
    }

    @Test func aMissingCertificateFileIsNamed() {
        #expect {
            _ = try TestServer(
                router: Router(),
                tls: TLSServerConfiguration(
                    certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem"))
        } throws: { error in
            "\(error)".contains("/nonexistent/cert.pem")
        }
    }
}
