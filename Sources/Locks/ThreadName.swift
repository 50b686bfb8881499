import CSystem
import Glibc

/// The name the kernel shows for a thread (`top -H`, `ps -L`, `/proc/PID/task/TID/comm`,
/// perf and gdb), so that an operator can tell the sequencer from an event loop when one of
/// them is busy.
public enum ThreadName {
    /// The most bytes of a name the kernel keeps.
    public static let maxBytes = 15

    /// Names the calling thread; a longer name is cut to `maxBytes` bytes (at a character
    /// boundary). Any thread.
    public static func setCurrent(_ name: String) {
        var bytes: [UInt8] = []
        for character in name {
            let utf8 = Array(String(character).utf8)
            guard bytes.count + utf8.count <= maxBytes else { break }
            bytes += utf8
        }
        bytes.append(0)
        bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { name in
                _ = pthread_setname_np(pthread_self(), name.baseAddress!)
            }
        }
    }

    /// The calling thread's name. Any thread.
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: maxBytes + 1)
        guard pthread_getname_np(pthread_self(), &buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) },
                      as: UTF8.self)
    }
}
