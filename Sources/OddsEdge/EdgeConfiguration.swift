import Identity
import JSON
import OddsModel
import Service
import Telemetry
import Transport

/// `odds-edge`'s configuration file. Every key, its unit and its default are in the README.
struct EdgeConfiguration: Sendable {
    var edgeID: String
    var listen = "127.0.0.1:8080"
    var tls: TLSServerConfiguration?
    var dataDirectory: String
    /// Where the feed comes from.
    var upstreamAddress: String
    var upstreamToken: String
    var upstreamTLS: TLSClientConfiguration?
    /// The address other systems reach this edge at, as `oddsctl edges` shows it.
    var advertisedAddress: String
    var threads: Int?
    var logLevel = LogLevel.info
    var staleAfterMilliseconds = 3000
    var integrityCheckIntervalSeconds = 60
    var adminToken: String?
    /// The token edges below this one present on `/v1/feed`; without it, it feeds none.
    var feedToken: String?
    var cacheMaxAgeSeconds = 1
    var storeSyncIntervalMilliseconds = 1000
    var storeMaxMapBytes = 64 << 30
    var shutdownGraceMilliseconds = 5000
    /// Counts, in the store and in the same transaction, how often each sequence number was
    /// applied: proof of exactly-once application, at the cost of a write per change.
    var auditAppliedSequences = false
    /// The public keys customer tokens may be signed with; none: every bet is refused.
    var tokenVerifier = TokenVerifier(keys: [:])
    /// How long a forwarded bet may wait for the origin's answer, in-play delay included.
    var betTimeoutMilliseconds = 70_000
    /// The live streams (`/v1/stream`); the stale threshold comes from `staleAfterMs`.
    var streams = StreamSettings()

    static func load(path: String) throws(UsageError) -> EdgeConfiguration {
        var file = try ConfigurationFile(path: path)
        let base = file
        return try file.read { reader throws -> EdgeConfiguration in
            let edgeID = try reader.string("edgeID")
            guard Identifier.isValid(edgeID) else {
                throw JSONFieldError(
                    path: "edgeID", message: "1 to 64 characters from A-Z a-z 0-9 . _ -")
            }
            let listen = try ConfigurationFile.address(
                &reader, "listen", default: "127.0.0.1:8080")
            let tls = try base.tlsServer(&reader, "tls")
            let dataDirectory = base.resolve(try reader.string("dataDirectory"))
            // The feed comes from the origin, or from another edge (a lower tier): one of the
            // two keys, with the same fields.
            let upstreamKey: String
            switch (reader.contains("origin"), reader.contains("upstream")) {
            case (true, false): upstreamKey = "origin"
            case (false, true): upstreamKey = "upstream"
            case (true, true):
                throw JSONFieldError(
                    path: "upstream", message: "give origin or upstream, not both")
            case (false, false):
                throw JSONFieldError(
                    path: "origin", message: "required (or upstream, to be fed by an edge)")
            }
            var origin = try reader.object(upstreamKey)
            let address = try ConfigurationFile.address(&origin, "address", default: "")
            let token = try origin.string("token")
            let upstreamTLS = try base.tlsClient(&origin, "tls")
            try origin.finish()
            var configuration = EdgeConfiguration(
                edgeID: edgeID, listen: listen, tls: tls, dataDirectory: dataDirectory,
                upstreamAddress: address, upstreamToken: token, upstreamTLS: upstreamTLS,
                advertisedAddress: try reader.string("advertisedAddress", default: listen))
            configuration.threads = try reader.optionalInt("threads", range: 1...256).map {
                Int($0)
            }
            configuration.logLevel = try ConfigurationFile.logLevel(&reader)
            configuration.staleAfterMilliseconds = Int(try reader.int(
                "staleAfterMs", default: 3000, range: 100...3_600_000))
            configuration.integrityCheckIntervalSeconds = Int(try reader.int(
                "integrityCheckIntervalSeconds", default: 60, range: 0...86_400))
            configuration.feedToken = try reader.optionalString("feedToken")
            if let feed = configuration.feedToken, feed.utf8.count < 16 {
                throw JSONFieldError(path: "feedToken", message: "at least 16 characters")
            }
            configuration.adminToken = try reader.optionalString("adminToken")
            if let admin = configuration.adminToken, admin.utf8.count < 16 {
                throw JSONFieldError(path: "adminToken", message: "at least 16 characters")
            }
            configuration.cacheMaxAgeSeconds = Int(try reader.int(
                "cacheMaxAgeSeconds", default: 1, range: 0...3600))
            configuration.storeSyncIntervalMilliseconds = Int(try reader.int(
                "storeSyncIntervalMs", default: 1000, range: 0...60_000))
            configuration.storeMaxMapBytes = Int(try reader.int(
                "storeMaxMapBytes", default: 64 << 30, range: (16 << 20)...(1 << 44)))
            configuration.shutdownGraceMilliseconds = Int(try reader.int(
                "shutdownGraceMs", default: 5000, range: 0...600_000))
            configuration.auditAppliedSequences = try reader.bool(
                "auditAppliedSequences", default: false)
            configuration.tokenVerifier = try base.tokenVerifier(&reader, "tokenKeys")
            configuration.betTimeoutMilliseconds = Int(try reader.int(
                "betTimeoutMs", default: 70_000, range: 1000...600_000))
            var streams = StreamSettings()
            streams.heartbeatInterval = .milliseconds(Int(try reader.int(
                "streamHeartbeatMs", default: 15_000, range: 1000...300_000)))
            streams.retryMilliseconds = Int(try reader.int(
                "streamRetryMs", default: 1000, range: 100...600_000))
            streams.maxClients = Int(try reader.int(
                "maxStreamClients", default: 20_000, range: 1...1_000_000))
            streams.bufferBytes = Int(try reader.int(
                "streamBufferBytes", default: 65_536, range: 4096...(64 << 20)))
            streams.historyChanges = Int(try reader.int(
                "streamHistoryChanges", default: 100_000, range: 1...100_000_000))
            streams.historyBytes = Int(try reader.int(
                "streamHistoryBytes", default: 64 << 20, range: (1 << 20)...(1 << 36)))
            streams.staleAfterMicros = Int64(configuration.staleAfterMilliseconds) * 1000
            streams.feedsEdges = configuration.feedToken != nil
            configuration.streams = streams
            return configuration
        }
    }
}
