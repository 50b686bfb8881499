import Service

/// The origin's admin API as an operator writes it: `http://HOST:PORT` for HTTP/2 with prior
/// knowledge (h2c), `https://HOST:PORT` for TLS with ALPN h2. A path other than `/`, a query
/// or user information is refused rather than ignored.
public struct OriginURL: Sendable, Equatable, CustomStringConvertible {
    /// `host:port` to dial; an IPv6 host keeps its brackets.
    public let address: String
    public let usesTLS: Bool
    /// The URL as given, without a trailing slash, for messages. Already valid, so it holds
    /// no character a terminal would act on.
    public let description: String

    private static let defaultPorts = (http: 80, https: 443)

    /// Parses `text`.
    ///
    /// - Throws: `UsageError` (without a usage hint) saying what is wrong with the URL.
    public init(parsing text: String) throws(UsageError) {
        let shown = TerminalText.sanitized(String(text.prefix(200)))
        func refuse(_ reason: String) -> UsageError {
            UsageError("origin \"\(shown)\": \(reason)")
        }

        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("http://") {
            usesTLS = false
            rest = text.dropFirst("http://".count)
        } else if lowered.hasPrefix("https://") {
            usesTLS = true
            rest = text.dropFirst("https://".count)
        } else {
            throw refuse("expected http://HOST:PORT or https://HOST:PORT")
        }

        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard path.isEmpty || path == "/" else { throw refuse("a path is not expected") }
        guard !authority.contains("@"), !authority.contains("?"), !authority.contains("#")
        else {
            throw refuse("only a host and a port are expected")
        }

        let host: Substring
        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw refuse("an IPv6 address needs its closing ]")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw refuse("bad port") }
            portText = after.isEmpty ? nil : after.dropFirst()
            guard host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }), !host.isEmpty
            else {
                throw refuse("bad IPv6 address")
            }
        } else {
            let colon = authority.firstIndex(of: ":")
            host = colon.map { authority[..<$0] } ?? authority
            portText = colon.map { authority[authority.index(after: $0)...] }
            let allowed = { (c: Character) in
                c.isASCII && (c.isLetter || c.isNumber || "-._".contains(c))
            }
            guard !host.isEmpty, host.allSatisfy(allowed) else {
                throw refuse("bad host")
            }
        }

        var port = usesTLS ? Self.defaultPorts.https : Self.defaultPorts.http
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let given = Int(portText),
                (1...65535).contains(given)
            else {
                throw refuse("the port must be a number from 1 to 65535")
            }
            port = given
        }
        address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        description = path.isEmpty ? text : String(text.dropLast())
    }
}
