/// How much an event matters, from `trace` (finest detail) to `critical` (the process is about
/// to stop being useful). Ordered, so a logger lets through every level at or above its own.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case trace
    case debug
    case info
    case notice
    case warning
    case error
    case critical

    /// Parses a lowercase level name as written in configuration ("trace" ... "critical").
    ///
    /// Returns `nil` for any other text, so a bad configuration value becomes an error for the
    /// caller to report rather than a trap.
    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.name == name }) else {
            return nil
        }
        self = level
    }

    /// The lowercase name, as written in the `level` field of every log line.
    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
