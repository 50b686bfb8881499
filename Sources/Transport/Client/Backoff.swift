/// Capped exponential backoff with jitter, for reconnecting to a peer that failed.
///
/// The n-th delay is `initial × multiplier^n`, capped at `maximum`, then reduced by a random
/// fraction of up to `jitter` so that many clients that lost the same peer do not all come
/// back in the same instant.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration64
    public var maximum: Duration64
    public var multiplier: Int
    /// From 0 (no jitter) to 1 (anywhere from zero to the full delay).
    public var jitter: Double
    public private(set) var attempts = 0

    public init(
        initial: Duration64 = .milliseconds(100), maximum: Duration64 = .seconds(10),
        multiplier: Int = 2, jitter: Double = 0.5
    ) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
    }

    /// The delay before the next attempt; counts the attempt.
    public mutating func nextDelay<Random: RandomNumberGenerator>(
        using random: inout Random
    ) -> Duration64 {
        var delay = initial.nanoseconds
        for _ in 0..<attempts {
            let (grown, overflow) = delay.multipliedReportingOverflow(by: UInt64(multiplier))
            if overflow || grown >= maximum.nanoseconds {
                delay = maximum.nanoseconds
                break
            }
            delay = grown
        }
        delay = min(delay, maximum.nanoseconds)
        attempts += 1
        let cut = Double(delay) * jitter * Double.random(in: 0..<1, using: &random)
        return Duration64(nanoseconds: delay - UInt64(cut))
    }

    /// The delay before the next attempt, with the system's random numbers.
    public mutating func nextDelay() -> Duration64 {
        var random = SystemRandomNumberGenerator()
        return nextDelay(using: &random)
    }

    /// Starts over after a success.
    public mutating func reset() {
        attempts = 0
    }
}
