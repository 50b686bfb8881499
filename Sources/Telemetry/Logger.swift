#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes structured events as JSON lines, one object per line:
///
///     {"ts":"2026-12-03T17:01:20.123456Z","level":"info","logger":"edge","event":"started",
///      "edge.id":"e1"}
///
/// The event names what happened; values go in metadata under dotted keys, written as flat
/// JSON keys in sorted order. The logger's own metadata is on every line; a call's metadata
/// wins over it for the same key. A metadata key that repeats one of the fixed fields (`ts`,
/// `level`, `logger`, `event`) is written as `metadata.<key>` so no line has a duplicate key.
///
/// A value type: copy it, change `level` or `metadata` on the copy, or derive a child with
/// `with(_:)`. Any thread may log; lines reach the sink whole.
public struct Logger: Sendable {
    /// The `logger` field of every line, naming the component.
    public let label: String

    /// The least important level written; anything below is skipped before any work is done.
    public var level: LogLevel

    /// Attached to every line (`edge.id`, for instance).
    public var metadata: LogMetadata

    /// Where lines go.
    public let sink: any LogSink

    /// A logger named `label` writing lines at `level` and above to `sink`.
    public init(
        label: String, level: LogLevel = .info, sink: any LogSink = StandardErrorSink(),
        metadata: LogMetadata = [:]
    ) {
        self.label = label
        self.level = level
        self.sink = sink
        self.metadata = metadata
    }

    /// Whether a line at `level` would be written. Any thread.
    @inlinable
    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= self.level
    }

    /// A copy of this logger whose lines also carry `metadata`, which wins over the parent's
    /// entries for the same key.
    public func with(_ metadata: LogMetadata) -> Logger {
        var child = self
        child.metadata.merge(metadata) { _, new in new }
        return child
    }

    /// Writes `event` with `metadata` at `level`, if enabled. `metadata` is only evaluated when
    /// the line is written. Any thread.
    @inlinable
    public func log(
        _ level: LogLevel, _ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]
    ) {
        guard isEnabled(level) else { return }
        write(level, event, metadata())
    }

    /// Writes at `trace` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func trace(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.trace, event, metadata())
    }

    /// Writes at `debug` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func debug(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.debug, event, metadata())
    }

    /// Writes at `info` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func info(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.info, event, metadata())
    }

    /// Writes at `notice` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func notice(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.notice, event, metadata())
    }

    /// Writes at `warning` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func warning(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.warning, event, metadata())
    }

    /// Writes at `error` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func error(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.error, event, metadata())
    }

    /// Writes at `critical` if enabled; see `log(_:_:_:)`.
    @inlinable
    public func critical(_ event: String, _ metadata: @autoclosure () -> LogMetadata = [:]) {
        log(.critical, event, metadata())
    }

    /// Builds the line and hands it to the sink; the level has already been checked.
    @usableFromInline
    func write(_ level: LogLevel, _ event: String, _ extra: LogMetadata) {
        var line: [UInt8] = []
        line.reserveCapacity(Logger.typicalLineBytes)

        line.append(contentsOf: #"{"ts":""#.utf8)
        Logger.appendTimestamp(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.name.utf8)
        line.append(contentsOf: #"","logger":"#.utf8)
        line.appendJSONString(label)
        line.append(contentsOf: #","event":"#.utf8)
        line.appendJSONString(event)

        let merged = extra.isEmpty ? metadata : metadata.merging(extra) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: ","))
            line.appendJSONString(Logger.fixedFields.contains(key) ? "metadata." + key : key)
            line.append(UInt8(ascii: ":"))
            value.appendJSON(to: &line)
        }
        line.append(contentsOf: "}\n".utf8)

        sink.write(line: line)
    }

    private static let typicalLineBytes = 256
    private static let fixedFields: Set<String> = ["ts", "level", "logger", "event"]

    /// Appends the current UTC time as `2026-12-03T17:01:20.123456Z`, from `clock_gettime` and
    /// `gmtime_r` rather than a date formatter, which would cost far more per line.
    private static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var fields = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &fields)

        appendDigits(Int(fields.tm_year) + 1900, count: 4, to: &line)
        line.append(UInt8(ascii: "-"))
        appendDigits(Int(fields.tm_mon) + 1, count: 2, to: &line)
        line.append(UInt8(ascii: "-"))
        appendDigits(Int(fields.tm_mday), count: 2, to: &line)
        line.append(UInt8(ascii: "T"))
        appendDigits(Int(fields.tm_hour), count: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        appendDigits(Int(fields.tm_min), count: 2, to: &line)
        line.append(UInt8(ascii: ":"))
        appendDigits(Int(fields.tm_sec), count: 2, to: &line)
        line.append(UInt8(ascii: "."))
        appendDigits(Int(now.tv_nsec) / 1000, count: 6, to: &line)
        line.append(UInt8(ascii: "Z"))
    }

    /// Appends the last `count` decimal digits of a non-negative `value`, zero-padded.
    private static func appendDigits(_ value: Int, count: Int, to line: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        while divisor > 0 {
            line.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
