import Service

/// Where and how oddsctl reaches the origin: the global flags, with the environment filling
/// the gaps, checked.
public struct ControlOptions: Sendable, Equatable {
    public var origin: OriginURL
    /// The admin bearer token.
    public var token: String
    /// PEM file of trusted CAs for an https origin; nil uses the system's trust store.
    public var caFile: String?
    /// Print the origin's JSON answer instead of tables.
    public var json: Bool
    /// How long one request may take, connecting included.
    public var timeoutMilliseconds: Int

    public static let defaultTimeoutMilliseconds = 10_000
    public static let maxTimeoutMilliseconds = 3_600_000

    public init(
        origin: OriginURL, token: String, caFile: String? = nil, json: Bool = false,
        timeoutMilliseconds: Int = defaultTimeoutMilliseconds
    ) {
        self.origin = origin
        self.token = token
        self.caFile = caFile
        self.json = json
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// The options from `flags`, falling back to `ODDSNET_ORIGIN`, `ODDSNET_TOKEN` and
    /// `ODDSNET_CA_FILE` in `environment` (empty variables count as unset).
    ///
    /// - Throws: `UsageError` when the origin or the token is missing or unusable, the
    ///   timeout is not a number of seconds, or `--ca-file` is given for an http origin.
    static func resolve(
        _ flags: GlobalFlags, environment: [String: String]
    ) throws(UsageError) -> ControlOptions {
        func fallback(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let originText = flags.origin ?? fallback("ODDSNET_ORIGIN") else {
            throw ControlUsage.error(
                "no origin: give --origin URL or set ODDSNET_ORIGIN", command: nil)
        }
        let origin: OriginURL
        do {
            origin = try OriginURL(parsing: originText)
        } catch {
            throw ControlUsage.error(error.message, command: nil)
        }
        guard let token = flags.token ?? fallback("ODDSNET_TOKEN") else {
            throw ControlUsage.error(
                "no token: give --token TOKEN or set ODDSNET_TOKEN", command: nil)
        }
        // A header carries visible ASCII only; anything else is a pasting accident.
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ControlUsage.error(
                "the token holds spaces or characters a header cannot carry", command: nil)
        }
        if flags.caFile != nil && !origin.usesTLS {
            throw ControlUsage.error(
                "--ca-file is for an https origin, and \(origin) is http", command: nil)
        }
        var timeout = defaultTimeoutMilliseconds
        if let text = flags.timeout {
            guard let milliseconds = Self.milliseconds(fromSeconds: text), milliseconds > 0,
                milliseconds <= maxTimeoutMilliseconds
            else {
                throw ControlUsage.error(
                    "--timeout \"\(text)\": expected seconds from 0.001 to "
                        + "\(maxTimeoutMilliseconds / 1000), like 10 or 2.5", command: nil)
            }
            timeout = milliseconds
        }
        return ControlOptions(
            origin: origin, token: token,
            caFile: origin.usesTLS ? flags.caFile ?? fallback("ODDSNET_CA_FILE") : nil,
            json: flags.json, timeoutMilliseconds: timeout)
    }

    /// `2.5` as 2500; nil unless plain digits with at most three decimal places.
    static func milliseconds(fromSeconds text: String) -> Int? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty, whole.count <= 7, fraction.count <= 3,
            parts.count == 1 || !fraction.isEmpty,
            (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }),
            let seconds = Int(whole)
        else { return nil }
        let padded = fraction + String(repeating: "0", count: 3 - fraction.count)
        return seconds * 1000 + (Int(padded) ?? 0)
    }
}
