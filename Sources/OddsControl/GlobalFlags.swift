import Service

/// The global flags as given, before the environment fills the gaps and the values are
/// checked (`ControlOptions.resolve`). They may appear before or after the command; when one
/// is given twice the last one counts, so a shell alias can carry defaults.
struct GlobalFlags: Sendable, Equatable {
    var origin: String?
    var token: String?
    var caFile: String?
    var json = false
    var timeout: String?
    var wantsHelp = false

    /// Takes `word` (and its value from `remaining`) when it is a global flag.
    ///
    /// - Returns: false when `word` is not a global flag, leaving `remaining` alone.
    /// - Throws: `UsageError` when the flag lacks its value or a switch is given one.
    mutating func consume(
        _ word: String, from remaining: inout ArraySlice<String>
    ) throws(UsageError) -> Bool {
        let (flag, inlineValue) = Self.split(word)
        switch flag {
        case "--json", "--help", "-h":
            guard inlineValue == nil else {
                throw ControlUsage.error("\(flag) takes no value", command: nil)
            }
            if flag == "--json" {
                json = true
            } else {
                wantsHelp = true
            }
            return true
        case "--origin", "--token", "--ca-file", "--timeout":
            guard let value = inlineValue ?? Self.nextValue(from: &remaining) else {
                throw ControlUsage.error("\(flag) needs a value", command: nil)
            }
            switch flag {
            case "--origin": origin = value
            case "--token": token = value
            case "--ca-file": caFile = value
            default: timeout = value
            }
            return true
        default:
            return false
        }
    }

    /// Splits `--flag=value` into the flag and its value; other words have no inline value.
    static func split(_ word: String) -> (flag: String, value: String?) {
        guard word.hasPrefix("--"), let equals = word.firstIndex(of: "=") else {
            return (word, nil)
        }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }

    /// Takes the next word as a flag's value, unless there is none or it is another long
    /// flag: `--name --json` is a forgotten value, not a name. `-` and `-5` are values.
    static func nextValue(from remaining: inout ArraySlice<String>) -> String? {
        guard let next = remaining.first, !next.hasPrefix("--") else { return nil }
        return remaining.popFirst()
    }
}
