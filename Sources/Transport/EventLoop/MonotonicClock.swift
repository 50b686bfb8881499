import CSystem
import Glibc

/// Nanoseconds from a monotonic clock, for deadlines and latencies.
public enum MonotonicClock {
    /// Now, in nanoseconds since an arbitrary fixed point. Any thread.
    @inline(__always)
    public static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

/// A span of time in nanoseconds, with readable constructors.
public struct Duration64: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static func milliseconds(_ value: Int) -> Duration64 {
        Duration64(nanoseconds: UInt64(max(0, value)) * 1_000_000)
    }

    public static func seconds(_ value: Int) -> Duration64 {
        Duration64(nanoseconds: UInt64(max(0, value)) * 1_000_000_000)
    }

    public var milliseconds: Int {
        Int(nanoseconds / 1_000_000)
    }

    public static func < (lhs: Duration64, rhs: Duration64) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String {
        "\(milliseconds)ms"
    }
}
