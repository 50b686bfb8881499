import Service

/// Why oddsctl stops short: the exit status and the lines for stderr.
struct ControlFailure: Error, Sendable {
    /// 1 for a refusal by the origin, 2 for a usage or connection error.
    let exitStatus: Int32
    /// What went wrong; `ControlCommand` prefixes each line with `oddsctl: `.
    var lines: [String]
    /// How to get it right, printed as it is after the lines.
    var hint: String?

    static let refusedStatus: Int32 = 1
    static let usageStatus: Int32 = 2

    /// The origin answered with an error status; `title` and `detail` come from its problem
    /// document.
    static func refused(status: Int, title: String, detail: String) -> ControlFailure {
        let head = "refused (\(status) \(title))"
        let line = detail.isEmpty ? head : "\(head): \(detail)"
        return ControlFailure(
            exitStatus: refusedStatus, lines: [TerminalText.sanitized(line)], hint: nil)
    }

    /// No answer came: the origin could not be reached, TLS failed, the connection or the
    /// stream broke, or the time ran out; `reason` is the transport's error.
    static func transport(_ origin: OriginURL, reason: String) -> ControlFailure {
        ControlFailure(
            exitStatus: usageStatus,
            lines: [TerminalText.sanitized("request to \(origin) failed: \(reason)")],
            hint: nil)
    }

    /// The origin answered 2xx with a body that is not what the API promises.
    static func badAnswer(_ origin: OriginURL, _ reason: String) -> ControlFailure {
        ControlFailure(
            exitStatus: usageStatus,
            lines: [TerminalText.sanitized("unexpected answer from \(origin): \(reason)")],
            hint: nil)
    }

    /// A usage error: its first line says what is wrong, the rest is the hint.
    static func usage(_ error: UsageError) -> ControlFailure {
        let parts = error.message.split(
            separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        return ControlFailure(
            exitStatus: usageStatus, lines: [String(parts[0])],
            hint: parts.count > 1 ? String(parts[1]) : nil)
    }
}
