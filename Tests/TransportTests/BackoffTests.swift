import Testing
@testable import Transport

/// A generator that always returns the same value, so jitter is predictable.
private struct FixedRandom: RandomNumberGenerator {
    var value: UInt64
    mutating func next() -> UInt64 { value }
}

@Suite struct BackoffTests {
    @Test func growsExponentiallyUpToTheCap() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0)
        var random = FixedRandom(value: 0)
        let delays = (0..<7).map { _ in backoff.nextDelay(using: &random).milliseconds }
        #expect(delays == [100, 200, 400, 800, 1000, 1000, 1000])
    }

    @Test func jitterOnlyShortensWithinItsFraction() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(1), jitter: 0.5)
        for _ in 0..<200 {
            let delay = backoff.nextDelay().milliseconds
            #expect(delay >= 500 && delay <= 1000)
        }
        var high = FixedRandom(value: UInt64.max)
        var other = Backoff(initial: .seconds(1), maximum: .seconds(1), jitter: 0.5)
        #expect(other.nextDelay(using: &high).milliseconds <= 501)
    }

    @Test func resetStartsOver() {
        var backoff = Backoff(initial: .milliseconds(50), maximum: .seconds(5), jitter: 0)
        _ = backoff.nextDelay()
        _ = backoff.nextDelay()
        backoff.reset()
        #expect(backoff.nextDelay().milliseconds == 50)
    }

    @Test func hugeAttemptCountsDoNotOverflow() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0)
        for _ in 0..<200 { _ = backoff.nextDelay() }
        #expect(backoff.nextDelay().milliseconds == 30_000)
    }
}
