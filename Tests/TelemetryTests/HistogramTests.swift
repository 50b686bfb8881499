import Testing

@testable import Telemetry

@Suite struct HistogramTests {
    /// Two observations up to 1 s, one up to 2 s, two up to 4 s, one beyond.
    private func knownHistogram() -> Histogram {
        let histogram = Histogram(buckets: [1, 2, 4])
        for seconds in [0.5, 1, 1.5, 3, 4, 10] {
            histogram.observe(seconds: seconds)
        }
        return histogram
    }

    @Test func bucketsAreCumulativeAndBoundsInclusive() {
        let snapshot = knownHistogram().cumulativeSnapshot()

        #expect(snapshot.cumulativeCounts == [2, 3, 5, 6])
        #expect(snapshot.sum == 20)
    }

    @Test func quantilesInterpolateInsideTheirBucket() {
        let histogram = knownHistogram()

        #expect(histogram.quantile(0) == 0)
        #expect(histogram.quantile(0.25) == 0.75)  // rank 1.5 of 2 in (0, 1]
        #expect(histogram.quantile(0.5) == 2)  // rank 3: the one in (1, 2]
        #expect(histogram.quantile(0.75) == 3.5)  // rank 4.5: 1.5 of 2 in (2, 4]
        #expect(histogram.quantile(1) == 4)  // +Inf bucket: highest finite bound
        #expect(Histogram(buckets: [1]).quantile(0.5).isNaN)
    }

    @Test func countAndSumAcrossUnits() {
        let histogram = Histogram(buckets: [0.001, 1])

        histogram.observe(nanoseconds: 1_000_000)
        histogram.observe(.milliseconds(250))
        histogram.observe(seconds: 1.25)
        histogram.observe(seconds: -3)
        histogram.observe(seconds: .nan)

        #expect(histogram.count == 5)
        #expect(histogram.sum == 1.501)
        #expect(histogram.cumulativeSnapshot().cumulativeCounts == [3, 4, 5])
    }

    @Test func defaultBucketsSpanTwentyFiveMicrosecondsToTenSeconds() {
        let buckets = Histogram.defaultLatencyBuckets

        #expect(buckets.first == 0.000_025)
        #expect(buckets.last == 10)
        #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0 < $1 && $1 / $0 <= 2.5 })
    }

    @Test func concurrentObservationsAreAllCounted() {
        let histogram = Histogram()
        let perThread = 50_000

        let finished = Threads.run(8) { thread in
            for index in 0..<perThread {
                histogram.observe(nanoseconds: UInt64(thread * 1000 + index % 1000))
            }
        }

        #expect(finished)
        #expect(histogram.count == 8 * perThread)
        #expect(histogram.cumulativeSnapshot().cumulativeCounts.last == 8 * perThread)
    }
}
