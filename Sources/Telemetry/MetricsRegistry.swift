import Locks

/// Holds a process's metrics and writes them in the Prometheus text format 0.0.4.
///
/// Metrics are got-or-created by name and labels: asking twice for the same counter returns the
/// same instance, so components can look theirs up without passing it around. A family (one
/// name) has one help text, the first given, and one type. Registering a name that is not a
/// valid Prometheus name, or with another type than before, is a programming error and traps;
/// names and labels come from code, never from input.
///
/// Registration takes a lock and is meant for start-up; updating the returned metrics is
/// lock-free. Any thread may register or render.
public final class MetricsRegistry: Sendable {
    /// The `Content-Type` of `render()`'s output.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    private enum MetricType: String {
        case counter, gauge, histogram
    }

    private enum Series: Sendable {
        case counter(Counter)
        case gauge(Gauge)
        case computedGauge(@Sendable () -> Int)
        case histogram(Histogram)
    }

    private struct Family: Sendable {
        let help: String
        let type: MetricType
        /// Keyed by the rendered label set (`a="1",b="2"`), which also orders the series.
        var series: [String: Series] = [:]
    }

    private let families = Lock<[String: Family]>([:])

    /// An empty registry.
    public init() {}

    /// The counter named `name` with `labels`, created at zero on first use. Any thread.
    public func counter(_ name: String, help: String, labels: [String: String] = [:]) -> Counter {
        let series = register(name, help: help, type: .counter, labels: labels) { existing in
            existing ?? .counter(Counter())
        }
        guard case .counter(let counter) = series else { preconditionFailure("type checked") }
        return counter
    }

    /// The gauge named `name` with `labels`, created at zero on first use. Traps if the same
    /// name and labels were registered as a computed gauge. Any thread.
    public func gauge(_ name: String, help: String, labels: [String: String] = [:]) -> Gauge {
        let series = register(name, help: help, type: .gauge, labels: labels) { existing in
            existing ?? .gauge(Gauge())
        }
        guard case .gauge(let gauge) = series else {
            preconditionFailure("\(name) \(labels) is already a computed gauge")
        }
        return gauge
    }

    /// A gauge whose value is read by calling `compute` at each `render()`, for values that
    /// already live elsewhere (a store's size). Registering again replaces `compute`. Traps if
    /// the same name and labels are an ordinary gauge. `compute` runs on the thread that
    /// renders, outside the registry's lock, so it may itself use the registry.
    public func gauge(
        _ name: String, help: String, labels: [String: String] = [:],
        compute: @escaping @Sendable () -> Int
    ) {
        _ = register(name, help: help, type: .gauge, labels: labels) { existing in
            if case .gauge = existing {
                preconditionFailure("\(name) \(labels) is already an ordinary gauge")
            }
            return .computedGauge(compute)
        }
    }

    /// The histogram named `name` with `labels`, created empty on first use with `buckets`
    /// (upper bounds in seconds). Asking again with other buckets traps. Any thread.
    public func histogram(
        _ name: String, help: String, labels: [String: String] = [:],
        buckets: [Double] = Histogram.defaultLatencyBuckets
    ) -> Histogram {
        precondition(labels["le"] == nil, "le is the bucket label of histogram \(name)")
        let series = register(name, help: help, type: .histogram, labels: labels) { existing in
            existing ?? .histogram(Histogram(buckets: buckets))
        }
        guard case .histogram(let histogram) = series else { preconditionFailure("type checked") }
        precondition(histogram.upperBounds == buckets, "\(name) has other buckets already")
        return histogram
    }

    /// Every metric in the Prometheus text format 0.0.4: families sorted by name, each with one
    /// `# HELP` and `# TYPE` line, series sorted by labels. Calls the computed gauges. Any
    /// thread.
    public func render() -> String {
        let snapshot = families.withLock { $0 }
        var text = ""
        for (name, family) in snapshot.sorted(by: { $0.key < $1.key }) {
            text += "# HELP \(name) \(MetricsRegistry.escapeHelp(family.help))\n"
            text += "# TYPE \(name) \(family.type.rawValue)\n"
            for (labels, series) in family.series.sorted(by: { $0.key < $1.key }) {
                MetricsRegistry.render(series, name: name, labels: labels, into: &text)
            }
        }
        return text
    }

    // MARK: - Private

    /// Finds or creates the family, checks its type, and stores what `resolve` makes of the
    /// series already there (nil if none), returning it.
    private func register(
        _ name: String, help: String, type: MetricType, labels: [String: String],
        resolve: (Series?) -> Series
    ) -> Series {
        precondition(MetricsRegistry.isValidName(name), "invalid metric name \(name)")
        let key = MetricsRegistry.labelText(labels)
        return families.withLock { families in
            var family = families[name] ?? Family(help: help, type: type)
            precondition(family.type == type, "\(name) is a \(family.type), not a \(type)")
            let series = resolve(family.series[key])
            family.series[key] = series
            families[name] = family
            return series
        }
    }

    private static func render(
        _ series: Series, name: String, labels: String, into text: inout String
    ) {
        let braced = labels.isEmpty ? "" : "{\(labels)}"
        switch series {
        case .counter(let counter):
            text += "\(name)\(braced) \(counter.value)\n"
        case .gauge(let gauge):
            text += "\(name)\(braced) \(gauge.value)\n"
        case .computedGauge(let compute):
            text += "\(name)\(braced) \(compute())\n"
        case .histogram(let histogram):
            let (cumulative, sum) = histogram.cumulativeSnapshot()
            let prefix = labels.isEmpty ? "" : labels + ","
            let bounds = histogram.upperBounds.map(sampleText) + ["+Inf"]
            for (bound, count) in zip(bounds, cumulative) {
                text += "\(name)_bucket{\(prefix)le=\"\(bound)\"} \(count)\n"
            }
            text += "\(name)_sum\(braced) \(sampleText(sum))\n"
            text += "\(name)_count\(braced) \(cumulative.last ?? 0)\n"
        }
    }

    /// `a="1",b="2"`: sorted by label name, values escaped. Traps on an invalid label name.
    private static func labelText(_ labels: [String: String]) -> String {
        labels.sorted(by: { $0.key < $1.key }).map { name, value in
            precondition(isValidLabelName(name), "invalid label name \(name)")
            return "\(name)=\"\(escapeLabelValue(value))\""
        }.joined(separator: ",")
    }

    /// Whole numbers without a fraction (`1`, not `1.0`), like Prometheus's own clients.
    private static func sampleText(_ value: Double) -> String {
        if value.isFinite && value == value.rounded() && abs(value) < maxPlainInteger {
            return String(Int64(value))
        }
        return value.telemetryText
    }

    /// Below this, every whole double prints exactly as an integer.
    private static let maxPlainInteger = 1e15

    private static func escapeHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    private static func escapeLabelValue(_ value: String) -> String {
        escapeHelp(value).replacing("\"", with: "\\\"")
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    private static func isValidName(_ name: String) -> Bool {
        isIdentifier(name, extra: UInt8(ascii: ":"))
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`, which Prometheus reserves.
    private static func isValidLabelName(_ name: String) -> Bool {
        isIdentifier(name, extra: nil) && !name.hasPrefix("__")
    }

    private static func isIdentifier(_ name: String, extra: UInt8?) -> Bool {
        func isLetter(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || byte == UInt8(ascii: "_") || byte == extra
        }
        func isDigit(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        guard let first = name.utf8.first, isLetter(first) else { return false }
        return name.utf8.dropFirst().allSatisfy { isLetter($0) || isDigit($0) }
    }
}
