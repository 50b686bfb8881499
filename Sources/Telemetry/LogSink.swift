#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Locks

/// Where finished log lines go.
///
/// `write(line:)` receives one complete line, trailing newline included, and may be called
/// from any thread at the same time; a sink must keep lines whole.
public protocol LogSink: Sendable {
    /// Takes one complete JSON line ending in `\n`. Called from any thread; must not throw or
    /// block for long, since the caller is usually on a request path.
    func write(line: [UInt8])
}

/// Writes each line to standard error (fd 2) with a single `write(2)`.
///
/// Writers in this process take turns through one lock, so lines from different threads never
/// interleave even when the kernel accepts only part of a line and the rest needs a second
/// call. Lines that cannot be written (a closed descriptor, a full disk) are dropped: there is
/// nowhere left to report the failure.
public struct StandardErrorSink: LogSink {
    let fileDescriptor: Int32

    /// A sink on fd 2.
    public init() {
        self.init(fileDescriptor: STDERR_FILENO)
    }

    /// A sink on another descriptor, which the caller keeps open; for tests.
    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    /// Writes the line; see the type's notes on interleaving and failures. Any thread.
    public func write(line: [UInt8]) {
        line.withUnsafeBytes { bytes in
            descriptorWriteLock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    let written = systemWrite(
                        fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0 && errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }
}

/// Serialises whole-line writes across every `StandardErrorSink` in the process.
private let descriptorWriteLock = Lock<Void>(())

/// `write(2)`, under a name that the sink's own `write(line:)` does not hide.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #else
    Darwin.write(descriptor, bytes, count)
    #endif
}

/// Keeps lines in memory, for tests that read back what was logged.
public final class MemoryLogSink: LogSink {
    private let storage = Lock<[String]>([])

    /// An empty sink.
    public init() {}

    /// Every line written so far, oldest first, each without its trailing newline. Any thread.
    public var lines: [String] {
        storage.withLock { $0 }
    }

    /// Stores the line. Any thread.
    public func write(line: [UInt8]) {
        let text = String(decoding: line.last == UInt8(ascii: "\n") ? line.dropLast() : line[...],
                          as: UTF8.self)
        storage.withLock { $0.append(text) }
    }

    /// Forgets every stored line. Any thread.
    public func removeAll() {
        storage.withLock { $0.removeAll() }
    }
}
