import Transport

/// An edge as a client names it: `http://host:port` (h2c) or `https://host:port` (TLS,
/// verified against a CA file or the system's trust store).
public struct EdgeAddress: Sendable, Hashable, CustomStringConvertible {
    public var hostPort: String
    public var tls: Bool

    public init?(_ url: String) {
        let rest: Substring
        if url.hasPrefix("http://") {
            rest = url.dropFirst("http://".count)
            tls = false
        } else if url.hasPrefix("https://") {
            rest = url.dropFirst("https://".count)
            tls = true
        } else {
            return nil
        }
        let hostPort = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        guard let colon = hostPort.lastIndex(of: ":"),
            let port = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(port),
            colon != hostPort.startIndex
        else { return nil }
        self.hostPort = hostPort
    }

    public var description: String {
        (tls ? "https://" : "http://") + hostPort
    }

    func clientConfiguration(caFile: String?) -> HTTP2ClientConfiguration {
        HTTP2ClientConfiguration(
            address: hostPort, tls: tls ? TLSClientConfiguration(caFilePath: caFile) : nil,
            connectTimeout: .seconds(2),
            backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(2)))
    }
}
