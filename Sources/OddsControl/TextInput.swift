import Glibc
import Service

/// Reads a whole text file, or standard input, for a command that takes one.
enum TextInput {
    /// The name that stands for standard input.
    static let standardInputName = "-"
    private static let chunkBytes = 1 << 16

    /// How `path` is named in messages: `stdin` for `-`.
    static func displayName(_ path: String) -> String {
        path == standardInputName ? "stdin" : TerminalText.sanitized(path)
    }

    /// The text of the file at `path`, or of standard input when `path` is `-`.
    ///
    /// - Throws: `UsageError` with the system's reason when the file cannot be read, or
    ///   saying it is not UTF-8 text; the caller names the file.
    static func read(_ path: String) throws(UsageError) -> String {
        let fd = path == standardInputName ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw UsageError("cannot open: \(String(cString: strerror(errno)))")
        }
        defer {
            if fd != 0 { close(fd) }
        }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw UsageError("cannot read: \(String(cString: strerror(errno)))")
            }
            bytes += chunk[..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw UsageError("not UTF-8 text")
        }
        return text
    }
}
