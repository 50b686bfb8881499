import Foundation
import JSON
import Transport

/// An origin that issues customer tokens and edges that verify them, with helpers to open
/// accounts, issue tokens and place bets through an edge.
public final class BetNetwork: @unchecked Sendable {
    // @unchecked: one test drives the network from one task at a time.
    public let keys: TemporaryDirectory
    public let signingKey: (privateKey: String, publicKey: String)
    public let origin: OriginNode
    public private(set) var edges: [EdgeNode] = []

    /// Starts an origin signing tokens with key `k1`, and `edgeCount` edges that trust it,
    /// each ready (caught up with the origin).
    public init(
        edgeCount: Int = 1, originSettings: [String: Any] = [:],
        edgeSettings: [String: Any] = [:]
    ) async throws {
        keys = try TemporaryDirectory()
        signingKey = try TestSigningKeys.make("k1", in: keys)
        var settings: [String: Any] = [
            "tokenSigningKey": ["id": "k1", "privateKeyFile": signingKey.privateKey],
        ]
        settings.merge(originSettings) { _, new in new }
        origin = try OriginNode(settings: settings)
        try origin.start()
        for index in 1...max(1, edgeCount) where index <= edgeCount {
            var settings: [String: Any] = [
                "tokenKeys": [["id": "k1", "publicKeyFile": signingKey.publicKey]],
            ]
            settings.merge(edgeSettings) { _, new in new }
            let edge = try EdgeNode(
                id: "edge-\(index)", upstream: origin.feedAddress, settings: settings)
            try edge.start()
            guard await edge.waitForReady() else {
                throw NetworkTestError.unexpected("edge-\(index) never became ready")
            }
            edges.append(edge)
        }
    }

    deinit {
        keys.remove()
    }

    /// Creates an account with `deposit` minor units and the given limits (admin API keys:
    /// `minStake`, `maxStake`, `maxLiabilityPerMarket`, `betsPerSecond`).
    public func openAccount(_ id: String, deposit: Int64, limits: [String: Int64] = [:])
        async throws
    {
        var limitsJSON = limits.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
        if limits["betsPerSecond"] == nil {
            limitsJSON += (limitsJSON.isEmpty ? "" : ",") + "\"betsPerSecond\":100000"
        }
        try expectOK(try await origin.request(
            .post, "/v1/admin/accounts", json: "{\"id\":\"\(id)\",\"limits\":{\(limitsJSON)}}"))
        if deposit > 0 {
            try expectOK(try await origin.request(
                .post, "/v1/admin/accounts/\(id)/deposit", json: "{\"amount\":\(deposit)}"))
        }
    }

    /// A customer token for `account`, issued by the origin.
    public func token(for account: String, ttlSeconds: Int = 3600) async throws -> String {
        let response = try await origin.request(
            .post, "/v1/admin/tokens",
            json: "{\"account\":\"\(account)\",\"ttlSeconds\":\(ttlSeconds)}")
        try expectOK(response)
        guard let token = try JSONParser.parse(response.body).objectValue?["token"]?.stringValue
        else { throw NetworkTestError.unexpected("no token in \(response.text)") }
        return token
    }

    /// An account's document from the admin API (balance, limits, ledger entries).
    public func account(_ id: String) async throws -> JSONObject {
        let response = try await origin.request(.get, "/v1/admin/accounts/\(id)")
        try expectOK(response)
        guard let object = try JSONParser.parse(response.body).objectValue else {
            throw NetworkTestError.unexpected(response.text)
        }
        return object
    }

    /// The account's ledger entries, oldest first.
    public func ledger(_ id: String) async throws -> [JSONObject] {
        let response = try await origin.request(.get, "/v1/admin/accounts/\(id)/ledger")
        try expectOK(response)
        return (try JSONParser.parse(response.body).arrayValue ?? []).compactMap(\.objectValue)
    }
}

extension EdgeNode {
    /// `POST /v1/bets` with a customer token and an idempotency key (each left out when nil).
    public func placeBet(
        token: String?, key: String?, json: String, extraHeaders: HTTPHeaders = HTTPHeaders()
    ) async throws -> HTTPClientResponse {
        var headers = extraHeaders
        if let token { headers.add("authorization", "Bearer \(token)") }
        if let key { headers.add("idempotency-key", key) }
        headers.add("content-type", "application/json")
        return try await client.execute(HTTPClientRequest(
            method: .post, path: "/v1/bets", headers: headers, body: Array(json.utf8),
            timeout: .seconds(30)))
    }

    /// A bet body; the price as text so it stays exact.
    public static func betJSON(
        market: String, selection: String = "home", price: String, version: Int64 = 0,
        stake: Int64, policy: String? = nil
    ) -> String {
        var json = "{\"market\":\"\(market)\",\"selection\":\"\(selection)\","
            + "\"price\":\"\(price)\","
            + "\"marketVersion\":\(version),\"stake\":\(stake)"
        if let policy { json += ",\"policy\":\"\(policy)\"" }
        return json + "}"
    }

    /// `GET path` with a customer token.
    public func getAsCustomer(_ path: String, token: String) async throws -> HTTPClientResponse {
        try await get(path, headers: ["authorization": "Bearer \(token)"])
    }
}

extension HTTPClientResponse {
    /// The body as a JSON object (empty when it is not one).
    public var object: JSONObject {
        (try? JSONParser.parse(body).objectValue) ?? JSONObject()
    }

    /// The `reason` of a refused bet.
    public var reason: String? {
        object["reason"]?.stringValue
    }
}

extension BetNetwork {
    /// A counter from the origin's `/metrics` (on its feed listener).
    public func originMetric(_ name: String) async -> Double? {
        let loop = try? EventLoop(name: "metrics")
        guard let loop,
            let client = try? HTTP2Client(
                configuration: HTTP2ClientConfiguration(address: origin.feedAddress), loop: loop)
        else { return nil }
        defer {
            client.close()
            loop.shutdown()
        }
        guard let response = try? await client.execute(HTTPClientRequest(
            path: "/metrics", timeout: .seconds(5)))
        else { return nil }
        for line in response.text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return line.split(separator: " ").last.flatMap { Double($0) }
        }
        return nil
    }
}
