import Identity
import JSON
import Service
import Store
import Telemetry
import Transport

/// `odds-origin`'s configuration file. Every key, its unit and its default are listed in the
/// README; the defaults below are those.
struct OriginConfiguration: Sendable {
    /// Where the LMDB store lives.
    var dataDirectory: String
    /// The feed listener: `/v1/feed` for edges, probes and metrics.
    var listen = "127.0.0.1:9000"
    /// The admin API's own listener.
    var adminListen = "127.0.0.1:9001"
    var tls: TLSServerConfiguration?
    /// Bearer token for the admin API.
    var adminToken: String
    /// Bearer token edges present on the feed.
    var feedToken: String
    var threads: Int?
    var logLevel = LogLevel.info
    var heartbeatIntervalMilliseconds = 1000
    var logRetentionChanges = 1_000_000
    var logRetentionSeconds = 86_400
    /// An edge further behind than this gets a snapshot instead of the log.
    var feedCatchUpMaxChanges = 200_000
    /// A feed stream with more unsent bytes than this is dropped (the edge reconnects).
    var feedMaxBufferedBytes = 64 << 20
    var maxRequestBodyBytes = 16 << 20
    var storeMaxMapBytes = 64 << 30
    var shutdownGraceMilliseconds = 5000
    /// The key customer tokens are signed with, and its id; none: no tokens are issued.
    var tokenSigning: (id: String, key: SigningKey)?
    var maxTokenTTLSeconds = 30 * 86_400
    /// How long a bet's first answer is kept under its idempotency key.
    var idempotencyRetentionSeconds = 172_800

    static let minimumTokenBytes = 16

    /// Reads the file at `path`. Throws a `UsageError` naming the key at fault.
    static func load(path: String) throws(UsageError) -> OriginConfiguration {
        var file = try ConfigurationFile(path: path)
        let base = file
        return try file.read { reader throws -> OriginConfiguration in
            var configuration = OriginConfiguration(
                dataDirectory: base.resolve(try reader.string("dataDirectory")),
                adminToken: try token(&reader, "adminToken"),
                feedToken: try token(&reader, "feedToken"))
            configuration.listen = try ConfigurationFile.address(
                &reader, "listen", default: configuration.listen)
            configuration.adminListen = try ConfigurationFile.address(
                &reader, "adminListen", default: configuration.adminListen)
            configuration.tls = try base.tlsServer(&reader, "tls")
            configuration.threads = try reader.optionalInt("threads", range: 1...256).map {
                Int($0)
            }
            configuration.logLevel = try ConfigurationFile.logLevel(&reader)
            configuration.heartbeatIntervalMilliseconds = Int(try reader.int(
                "heartbeatIntervalMs", default: 1000, range: 50...60_000))
            configuration.logRetentionChanges = Int(try reader.int(
                "logRetentionChanges", default: 1_000_000, range: 1...1_000_000_000))
            configuration.logRetentionSeconds = Int(try reader.int(
                "logRetentionSeconds", default: 86_400, range: 1...31_536_000))
            configuration.feedCatchUpMaxChanges = Int(try reader.int(
                "feedCatchUpMaxChanges", default: 200_000, range: 0...100_000_000))
            configuration.feedMaxBufferedBytes = Int(try reader.int(
                "feedMaxBufferedBytes", default: 64 << 20, range: (1 << 20)...(1 << 34)))
            configuration.maxRequestBodyBytes = Int(try reader.int(
                "maxRequestBodyBytes", default: 16 << 20, range: 1024...(1 << 30)))
            configuration.storeMaxMapBytes = Int(try reader.int(
                "storeMaxMapBytes", default: 64 << 30, range: (16 << 20)...(1 << 44)))
            configuration.shutdownGraceMilliseconds = Int(try reader.int(
                "shutdownGraceMs", default: 5000, range: 0...600_000))
            configuration.tokenSigning = try base.signingKey(&reader, "tokenSigningKey")
            configuration.maxTokenTTLSeconds = Int(try reader.int(
                "maxTokenTtlSeconds", default: 30 * 86_400, range: 60...(366 * 86_400)))
            configuration.idempotencyRetentionSeconds = Int(try reader.int(
                "idempotencyRetentionSeconds", default: 172_800, range: 86_400...31_536_000))
            return configuration
        }
    }

    private static func token(_ reader: inout JSONObjectReader, _ key: String) throws -> String {
        let token = try reader.string(key)
        guard token.utf8.count >= minimumTokenBytes,
            token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            throw JSONFieldError(
                path: key,
                message: "at least \(minimumTokenBytes) printable characters without spaces")
        }
        return token
    }
}
