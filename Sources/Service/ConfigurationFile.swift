import Glibc
import JSON
import Telemetry
import Transport

/// Reading a program's JSON configuration file: every key checked, unknown keys refused,
/// relative paths resolved against the file's folder. Errors are `UsageError`s whose
/// message names the file and the key, for a one-line refusal and exit status 2.
public struct ConfigurationFile {
    public let path: String
    /// The folder relative paths in the file are resolved against.
    public let directory: String
    public var root: JSONObjectReader

    /// Reads and parses `path`. Throws when the file cannot be read or is not a JSON object.
    public init(path: String) throws(UsageError) {
        self.path = path
        let slash = path.lastIndex(of: "/")
        directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        guard let bytes = Self.readFile(path) else {
            throw UsageError("\(path): cannot read the configuration file: "
                + String(cString: strerror(errno)))
        }
        do {
            root = try JSONObjectReader(try JSONParser.parse(bytes), path: "")
        } catch {
            throw UsageError("\(path): \(error)")
        }
    }

    /// Runs `read` over the root object, then refuses any key it did not read.
    public mutating func read<T>(_ read: (inout JSONObjectReader) throws -> T)
        throws(UsageError) -> T
    {
        do {
            let value = try read(&root)
            try root.finish()
            return value
        } catch let error as UsageError {
            throw UsageError("\(path): \(error.message)")
        } catch {
            throw UsageError("\(path): \(error)")
        }
    }

    /// `value` as an absolute path: relative ones are taken from the configuration file's
    /// folder, not from where the program was started.
    public func resolve(_ value: String) -> String {
        if value.hasPrefix("/") { return value }
        return directory == "." ? value : directory + "/" + value
    }

    /// A TLS server block `{"certificate": FILE, "key": FILE}`, paths resolved.
    public func tlsServer(_ reader: inout JSONObjectReader, _ key: String) throws
        -> TLSServerConfiguration?
    {
        guard reader.contains(key) else { return nil }
        var block = try reader.object(key)
        let certificate = resolve(try block.string("certificate"))
        let keyPath = resolve(try block.string("key"))
        try block.finish()
        return TLSServerConfiguration(certificatePath: certificate, keyPath: keyPath)
    }

    /// A TLS client block `{"caFile": FILE, "certificate": FILE, "key": FILE,
    /// "serverName": NAME}` (all optional), paths resolved.
    public func tlsClient(_ reader: inout JSONObjectReader, _ key: String) throws
        -> TLSClientConfiguration?
    {
        guard reader.contains(key) else { return nil }
        var block = try reader.object(key)
        let configuration = TLSClientConfiguration(
            caFilePath: try block.optionalString("caFile").map(resolve),
            serverName: try block.optionalString("serverName"),
            certificatePath: try block.optionalString("certificate").map(resolve),
            keyPath: try block.optionalString("key").map(resolve))
        try block.finish()
        return configuration
    }

    /// The `logLevel` key: `trace` to `critical`, `info` when absent.
    public static func logLevel(_ reader: inout JSONObjectReader) throws -> LogLevel {
        let name = try reader.string("logLevel", default: "info")
        guard let level = LogLevel(name: name) else {
            throw JSONFieldError(
                path: reader.path(of: "logLevel"), message: "unknown level \(name)")
        }
        return level
    }

    /// A listen address `host:port` (port 0 picks a free one).
    public static func address(
        _ reader: inout JSONObjectReader, _ key: String, default value: String
    ) throws -> String {
        let address = try reader.string(key, default: value)
        guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
            let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw JSONFieldError(
                path: reader.path(of: key),
                message: "expected HOST:PORT, got \"\(address)\"")
        }
        return address
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            }
            if count < chunk.count {
                return ferror(file) != 0 ? nil : bytes
            }
            if bytes.count > 16 << 20 { return nil }
        }
    }
}
