import Glibc

/// Wall-clock time as Unix microseconds: what publish times and ages are measured in.
public enum WallClock {
    public static func micros() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
