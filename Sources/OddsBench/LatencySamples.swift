import Foundation
import Locks

/// Latency samples in microseconds, summarised by exact quantiles. Any thread.
final class LatencySamples: Sendable {
    private let samples = Lock<[Int64]>([])

    func add(_ micros: Int64) {
        samples.withLock { $0.append(max(0, micros)) }
    }

    func add(_ micros: [Int64]) {
        samples.withLock { samples in
            samples.append(contentsOf: micros.lazy.map { max(0, $0) })
        }
    }

    var count: Int {
        samples.withLock { $0.count }
    }

    /// p50, p99, p999 and max in milliseconds; nil without samples.
    func summary() -> (p50: Double, p99: Double, p999: Double, max: Double)? {
        let sorted = samples.withLock { $0 }.sorted()
        guard !sorted.isEmpty else { return nil }
        func quantile(_ q: Double) -> Double {
            let index = min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)
            return Double(sorted[max(0, index)]) / 1000
        }
        return (quantile(0.5), quantile(0.99), quantile(0.999), Double(sorted.last!) / 1000)
    }
}
