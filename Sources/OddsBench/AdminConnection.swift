import Foundation
import JSON
import Transport

/// The benchmark's connection to an HTTP/2 server (the origin's admin API, an edge).
final class AdminConnection: Sendable {
    let client: HTTP2Client
    let loop: EventLoop
    private let token: String?

    /// `url` is `http://host:port` (h2c) or `https://host:port` (TLS, verified against
    /// `caFile`).
    init(url: String, token: String?, caFile: String? = nil, name: String) throws {
        var address = url
        var tls: TLSClientConfiguration?
        if address.hasPrefix("https://") {
            address.removeFirst(8)
            tls = TLSClientConfiguration(caFilePath: caFile)
        } else if address.hasPrefix("http://") {
            address.removeFirst(7)
        }
        while address.hasSuffix("/") {
            address.removeLast()
        }
        loop = try EventLoop(name: name)
        client = try HTTP2Client(
            configuration: HTTP2ClientConfiguration(address: address, tls: tls), loop: loop)
        self.token = token
    }

    func send(_ method: HTTPMethod, _ path: String, json: [UInt8] = []) async throws
        -> HTTPClientResponse
    {
        var headers = HTTPHeaders()
        if let token { headers.add("authorization", "Bearer \(token)") }
        if !json.isEmpty { headers.add("content-type", "application/json") }
        let deadline = Date().addingTimeInterval(10)
        let request = HTTPClientRequest(
            method: method, path: path, headers: headers, body: json, timeout: .seconds(30))
        while true {
            let result: Result<HTTPClientResponse, TransportError>
            do {
                result = .success(try await client.execute(request))
            } catch {
                result = .failure(error)
            }
            // A refused connect makes the client back off; retry for a while.
            if case .failure(let error) = result, error == .backingOff, Date() < deadline {
                try await Task.sleep(nanoseconds: 50_000_000)
                continue
            }
            return try result.get()
        }
    }

    /// Sends and throws unless the answer is 2xx.
    @discardableResult
    func expectOK(_ method: HTTPMethod, _ path: String, json: [UInt8] = []) async throws
        -> HTTPClientResponse
    {
        let response = try await send(method, path, json: json)
        guard (200..<300).contains(response.status) else {
            throw BenchError("\(method) \(path): \(response.status) \(response.text)")
        }
        return response
    }

    func close() {
        client.close()
        loop.shutdown()
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
