import Locks

/// A latency histogram: how many observations fell at or below each of a fixed set of bounds.
///
/// Bounds are given in seconds and kept to whole nanoseconds; observations are rounded to whole
/// nanoseconds too, so an observation equal to a bound counts in that bound's bucket, as
/// Prometheus's `le` ("less or equal") says. The sum is kept in whole nanoseconds and wraps
/// after about 584 years of total observed time.
///
/// Lock-free; any thread may observe or read at any time. A reader racing with observers sees
/// each bucket's count at a slightly different moment, never a torn value.
public final class Histogram: Sendable {
    /// Bucket upper bounds in seconds, increasing; the `+Inf` bucket is implied.
    public let upperBounds: [Double]

    private let upperBoundsNanoseconds: [UInt64]

    /// Per CPU shard: one count per bound plus one for `+Inf` (each counts only its own
    /// range, not cumulative), then the sum in nanoseconds.
    private let cells: ShardedCells
    private var sumCell: Int { upperBoundsNanoseconds.count + 1 }

    /// From 25 µs to 10 s in steps of 1, 2.5 and 5 per decade: fine enough for cache hits, wide
    /// enough for slow upstreams.
    public static let defaultLatencyBuckets: [Double] = [
        0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5,
        0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05,
        0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// A histogram with the given upper bounds in seconds, which must be finite, positive and
    /// strictly increasing (a programming error otherwise: bounds are chosen in code).
    public init(buckets: [Double] = Histogram.defaultLatencyBuckets) {
        precondition(buckets.allSatisfy { $0.isFinite && $0 > 0 }, "bad bucket bounds \(buckets)")
        precondition(zip(buckets, buckets.dropFirst()).allSatisfy(<), "bounds must increase")
        upperBounds = buckets
        upperBoundsNanoseconds = buckets.map { Histogram.nanoseconds(fromSeconds: $0) }
        cells = ShardedCells(cellsPerShard: buckets.count + 2)
    }

    /// Records one observation in nanoseconds. Any thread.
    public func observe(nanoseconds: UInt64) {
        cells.add(1, at: bucketIndex(nanoseconds), nanoseconds, at: sumCell)
    }

    /// Records one observation in seconds. Negative values and NaN count as zero; values beyond
    /// `UInt64.max` nanoseconds count as that. Any thread.
    public func observe(seconds: Double) {
        observe(nanoseconds: Histogram.nanoseconds(fromSeconds: seconds))
    }

    /// Records one observation, clamped as `observe(seconds:)` does. Any thread.
    public func observe(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 else { return observe(nanoseconds: 0) }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        let total = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        observe(nanoseconds: overflow || total.overflow ? UInt64.max : total.partialValue)
    }

    /// The number of observations so far. Any thread.
    public var count: Int {
        bucketCountsNow().reduce(0, +)
    }

    /// The sum of observations so far, in seconds. Any thread.
    public var sum: Double {
        Double(cells.sum(at: sumCell)) / Histogram.nanosecondsPerSecond
    }

    /// Estimates the `q`-quantile (0.5 for the median) in seconds, the way Prometheus's
    /// `histogram_quantile` does: find the bucket holding the rank, interpolate linearly inside
    /// it from the bound below (zero for the first bucket). A rank in the `+Inf` bucket gives
    /// the highest finite bound. Returns NaN with no observations. `q` outside 0...1 is a
    /// programming error. Any thread.
    public func quantile(_ q: Double) -> Double {
        precondition((0...1).contains(q), "quantile \(q) is outside 0...1")
        let counts = bucketCountsNow()
        let total = counts.reduce(0, +)
        guard total > 0 else { return .nan }

        let rank = q * Double(total)
        var below = 0
        for (index, count) in counts.enumerated() {
            if count > 0 && Double(below + count) >= rank {
                guard index < upperBounds.count else { return upperBounds.last ?? .nan }
                let lower = index == 0 ? 0 : upperBounds[index - 1]
                let fraction = max(0, rank - Double(below)) / Double(count)
                return lower + (upperBounds[index] - lower) * fraction
            }
            below += count
        }
        return upperBounds.last ?? .nan
    }

    /// Cumulative counts per bound, the last being `+Inf` and equal to the total count, with
    /// the sum in seconds; what the Prometheus export writes. Any thread.
    func cumulativeSnapshot() -> (cumulativeCounts: [Int], sum: Double) {
        var running = 0
        let cumulative = bucketCountsNow().map { count in
            running += count
            return running
        }
        return (cumulative, sum)
    }

    private static let nanosecondsPerSecond = 1e9

    /// Each bucket's own count, summed over the shards.
    private func bucketCountsNow() -> [Int] {
        (0...upperBoundsNanoseconds.count).map { Int(truncatingIfNeeded: cells.sum(at: $0)) }
    }

    /// The first bucket whose bound is at or above `nanoseconds`, by binary search; the `+Inf`
    /// bucket if none is.
    private func bucketIndex(_ nanoseconds: UInt64) -> Int {
        var low = 0
        var high = upperBoundsNanoseconds.count
        while low < high {
            let middle = (low + high) / 2
            if upperBoundsNanoseconds[middle] < nanoseconds {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low
    }

    private static func nanoseconds(fromSeconds seconds: Double) -> UInt64 {
        let nanoseconds = (seconds * nanosecondsPerSecond).rounded()
        guard nanoseconds > 0 else { return 0 }  // also NaN
        guard nanoseconds < Double(UInt64.max) else { return UInt64.max }
        return UInt64(nanoseconds)
    }
}
