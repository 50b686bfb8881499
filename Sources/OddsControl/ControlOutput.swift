import Glibc

/// The only place oddsctl writes: the answer to stdout, failures to stderr.
enum ControlOutput {
    /// Writes `bytes` to standard output.
    static func standardOutput(_ bytes: [UInt8]) {
        write(bytes, to: 1)
    }

    /// Writes each of `lines` to standard error after `oddsctl: `, then `hint` as it is.
    static func failure(_ lines: [String], hint: String?) {
        var text = lines.map { "oddsctl: \($0)\n" }.joined()
        if let hint {
            text += hint + "\n"
        }
        write(Array(text.utf8), to: 2)
    }

    /// Writes all of `bytes`, going on after short writes and interruptions. A closed pipe
    /// (`oddsctl events | head`) ends the output quietly.
    private static func write(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}
