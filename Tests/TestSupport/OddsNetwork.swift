import Foundation
import Glibc
import JSON
import Transport

/// A real `odds-origin` for a test: its own folder (store and config), fixed loopback ports
/// picked at creation (so a restart comes back on the same ones), and a client for its
/// admin API.
public final class OriginNode: @unchecked Sendable {
    // @unchecked: one test drives a node from one task at a time.
    public static let adminToken = "test-admin-token-0123456789"
    public static let feedToken = "test-feed-token-0123456789"

    public let directory: TemporaryDirectory
    public let feedPort: Int
    public let adminPort: Int
    public var settings: [String: Any]
    public private(set) var process: TestProcess?
    private let loop: EventLoop
    public let admin: HTTP2Client

    /// `settings` are extra configuration keys (for example `logRetentionChanges`).
    public init(settings: [String: Any] = [:]) throws {
        directory = try TemporaryDirectory()
        feedPort = try FreePort.pick()
        adminPort = try FreePort.pick()
        self.settings = settings
        loop = try EventLoop(name: "admin-client")
        admin = try HTTP2Client(
            configuration: HTTP2ClientConfiguration(
                address: "127.0.0.1:\(adminPort)",
                backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))),
            loop: loop)
    }

    deinit {
        process?.stop()
        admin.close()
        loop.shutdown()
        directory.remove()
    }

    public var feedAddress: String { "127.0.0.1:\(feedPort)" }
    public var dataDirectory: String { directory.file("data") }
    public var configPath: String { directory.file("origin.json") }

    /// Writes the configuration and starts the program; waits for its start line.
    public func start(arguments: [String] = []) throws {
        var configuration: [String: Any] = [
            "dataDirectory": "data",
            "listen": "127.0.0.1:\(feedPort)",
            "adminListen": "127.0.0.1:\(adminPort)",
            "adminToken": Self.adminToken,
            "feedToken": Self.feedToken,
            "heartbeatIntervalMs": 200,
            "logLevel": "debug",
        ]
        configuration.merge(settings) { _, new in new }
        try JSONSerialization.data(withJSONObject: configuration)
            .write(to: URL(fileURLWithPath: configPath))
        let process = try TestProcess("odds-origin", ["--config", configPath] + arguments)
        self.process = process
        guard process.waitForLogLine(containing: "origin.started") != nil else {
            throw NetworkTestError.didNotStart("odds-origin", process.log)
        }
    }

    /// SIGKILL, no goodbye.
    public func kill9() {
        process?.stop()
    }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    @discardableResult
    public func terminate() -> Int32? {
        process?.send(SIGTERM)
        return process?.waitForExit()
    }

    /// Sends an admin request with the token (unless `token` says otherwise).
    public func request(
        _ method: HTTPMethod, _ path: String, json: String? = nil,
        token: String? = OriginNode.adminToken
    ) async throws -> HTTPClientResponse {
        var headers = HTTPHeaders()
        if let token { headers.add("authorization", "Bearer \(token)") }
        if json != nil { headers.add("content-type", "application/json") }
        return try await retrying {
            try await self.admin.execute(HTTPClientRequest(
                method: method, path: path, headers: headers, body: Array((json ?? "").utf8),
                timeout: .seconds(10)))
        }
    }

    /// The admin status document: epoch, sequence, digest.
    public func status() async throws -> JSONObject {
        let response = try await request(.get, "/v1/admin/status")
        guard let object = try JSONParser.parse(response.body).objectValue else {
            throw NetworkTestError.unexpected("status: \(response.text)")
        }
        return object
    }

    public func sequence() async throws -> Int64 {
        try await status()["sequence"]?.int64Value ?? -1
    }

    /// Creates an event and `markets` markets with three selections each: `m<i>` on `e1`.
    public func seedCard(markets: Int, prefix: String = "m") async throws {
        let event = """
            {"sport":"football","competition":"Test League","name":"Home v Away",
             "startTime":"2026-12-05T15:00:00Z"}
            """
        try expectOK(try await request(.put, "/v1/admin/events/e1", json: event))
        for index in 0..<markets {
            let market = """
                {"event":"e1","type":"match_odds","name":"Match Odds \(index)","selections":[
                 {"id":"home","name":"Home","price":"2.10"},
                 {"id":"draw","name":"Draw","price":"3.40"},
                 {"id":"away","name":"Away","price":"3.75"}]}
                """
            try expectOK(
                try await request(.put, "/v1/admin/markets/\(prefix)\(index)", json: market))
        }
    }

    /// Sets `count` prices in batches of `batchSize`, spread over `markets` markets; the
    /// prices walk up a ladder so every change is a real change.
    public func movePrices(count: Int, markets: Int, batchSize: Int = 100, prefix: String = "m")
        async throws
    {
        var sent = 0
        while sent < count {
            let size = min(batchSize, count - sent)
            let items = (0..<size).map { offset -> String in
                let index = sent + offset
                let price = 2 + Double(index % 500) / 100 + 0.01
                return "{\"market\":\"\(prefix)\(index % markets)\",\"selection\":\"home\","
                    + "\"price\":\"\(String(format: "%.2f", price))\"}"
            }
            try expectOK(try await request(
                .post, "/v1/admin/prices", json: "{\"prices\":[\(items.joined(separator: ","))]}"))
            sent += size
        }
    }
}

/// A real `odds-edge` fed by an origin, with a stable folder and port across restarts.
public final class EdgeNode: @unchecked Sendable {
    // @unchecked: one test drives a node from one task at a time.
    public static let adminToken = "test-edge-admin-token-0123"

    public let id: String
    public let directory: TemporaryDirectory
    public let port: Int
    public var upstream: String
    public var settings: [String: Any]
    public private(set) var process: TestProcess?
    private let loop: EventLoop
    public let client: HTTP2Client

    public init(id: String, upstream: String, settings: [String: Any] = [:]) throws {
        self.id = id
        directory = try TemporaryDirectory()
        port = try FreePort.pick()
        self.upstream = upstream
        self.settings = settings
        loop = try EventLoop(name: "edge-client")
        client = try HTTP2Client(
            configuration: HTTP2ClientConfiguration(
                address: "127.0.0.1:\(port)",
                backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(50))),
            loop: loop)
    }

    deinit {
        process?.stop()
        client.close()
        loop.shutdown()
        directory.remove()
    }

    public var dataDirectory: String { directory.file("data") }
    public var configPath: String { directory.file("edge.json") }

    public func start() throws {
        var configuration: [String: Any] = [
            "edgeID": id,
            "listen": "127.0.0.1:\(port)",
            "dataDirectory": "data",
            "origin": ["address": upstream, "token": OriginNode.feedToken],
            "adminToken": Self.adminToken,
            "integrityCheckIntervalSeconds": 0,
            "threads": 1,
            "logLevel": "debug",
        ]
        configuration.merge(settings) { _, new in new }
        if settings["upstream"] != nil {
            // Fed by another edge instead of the origin.
            configuration["origin"] = nil
        }
        try JSONSerialization.data(withJSONObject: configuration)
            .write(to: URL(fileURLWithPath: configPath))
        let process = try TestProcess("odds-edge", ["--config", configPath])
        self.process = process
        guard process.waitForLogLine(containing: "edge.started") != nil else {
            throw NetworkTestError.didNotStart("odds-edge", process.log)
        }
    }

    public func kill9() {
        process?.stop()
    }

    @discardableResult
    public func terminate() -> Int32? {
        process?.send(SIGTERM)
        return process?.waitForExit()
    }

    public func get(_ path: String, headers: HTTPHeaders = HTTPHeaders()) async throws
        -> HTTPClientResponse
    {
        try await retrying {
            try await self.client.execute(HTTPClientRequest(
                path: path, headers: headers, timeout: .seconds(10)))
        }
    }

    /// The readiness document's applied sequence, or -1 while the edge does not answer.
    public func appliedSequence() async -> Int64 {
        guard let response = try? await get("/readyz"),
            let object = try? JSONParser.parse(response.body).objectValue
        else { return -1 }
        return object["appliedSequence"]?.int64Value ?? -1
    }

    /// Waits until the edge has applied `sequence`; false at the deadline. Each request
    /// waits at the edge (`/readyz?after=`) until the store moves, so this does not poll.
    public func waitForSequence(_ sequence: Int64, timeout: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let applied = await appliedSequence(after: max(0, sequence - 1))
            if applied >= sequence { return true }
            if applied < 0 {
                // Not answering yet (starting, or restarting): try again shortly.
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        return await appliedSequence() >= sequence
    }

    /// The applied sequence once it is past `after` or a second has gone by; -1 while the
    /// edge does not answer.
    private func appliedSequence(after: Int64) async -> Int64 {
        guard let response = try? await get("/readyz?after=\(after)&waitMs=1000"),
            let object = try? JSONParser.parse(response.body).objectValue
        else { return -1 }
        return object["appliedSequence"]?.int64Value ?? -1
    }

    /// Waits until `/readyz` answers 200 and says the edge is connected: it holds a live feed
    /// from its upstream and has caught up with it. False at the deadline.
    public func waitForReady(timeout: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let response = try? await get("/readyz"), response.status == 200,
                let document = try? JSONParser.parse(response.body).objectValue,
                document["connected"]?.boolValue == true
            {
                return true
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return false
    }

    /// A metric's value from `/metrics` (the first series of that name).
    public func metric(_ name: String) async -> Double? {
        guard let response = try? await get("/metrics") else { return nil }
        for line in response.text.split(separator: "\n") where line.hasPrefix(name + " ")
            || line.hasPrefix(name + "{")
        {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}

public enum NetworkTestError: Error, CustomStringConvertible {
    case didNotStart(String, String)
    case unexpected(String)

    public var description: String {
        switch self {
        case .didNotStart(let name, let log): return "\(name) did not start:\n\(log)"
        case .unexpected(let text): return text
        }
    }
}

/// Throws unless the response is 2xx.
public func expectOK(_ response: HTTPClientResponse, file: StaticString = #filePath) throws {
    guard (200..<300).contains(response.status) else {
        throw NetworkTestError.unexpected("status \(response.status): \(response.text)")
    }
}

/// Retries a request that failed because the connection was not up yet (the client backs
/// off after a refused connect), for up to five seconds.
func retrying(_ body: () async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
    let deadline = Date().addingTimeInterval(5)
    while true {
        do {
            return try await body()
        } catch let error as TransportError where Date() < deadline {
            _ = error
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
}
