/// Latencies by when their requests started, to see how a phase's tail is spread over it:
/// a few bad moments or a steady drift.
struct LatencyTimeline {
    /// The phase's start, monotonic nanoseconds.
    var started: UInt64 = 0
    private var points: [(start: UInt64, micros: Int64)] = []

    mutating func add(starts: [UInt64], latencies: [Int64]) {
        points.append(contentsOf: zip(starts, latencies).map { ($0, $1) })
    }

    /// One row per `slice` seconds from the start: the slice's start, its count, and its
    /// p50, p99 and max in milliseconds.
    func rows(slice: Double) -> [(at: Double, count: Int, p50: Double, p99: Double, max: Double)] {
        guard !points.isEmpty, slice > 0 else { return [] }
        var slices: [Int: [Int64]] = [:]
        for point in points {
            let offset = Double(point.start &- min(started, point.start)) / 1e9
            slices[Int(offset / slice), default: []].append(point.micros)
        }
        return slices.keys.sorted().map { index in
            let sorted = slices[index, default: []].sorted()
            func quantile(_ q: Double) -> Double {
                let at = min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)
                return Double(sorted[max(0, at)]) / 1000
            }
            return (Double(index) * slice, sorted.count, quantile(0.5), quantile(0.99),
                Double(sorted.last ?? 0) / 1000)
        }
    }
}
