import Service

/// What one command accepts after its name: positional arguments, flags that take a value,
/// and switches that take none.
struct CommandSpec: Sendable {
    /// The command's words, such as `market put`.
    let name: String
    /// Placeholders of the positional arguments, in order, such as `["ID"]`.
    let positionals: [String]
    let valueFlags: Set<String>
    /// Value flags that may be given more than once (`--selection`).
    let repeatableFlags: Set<String>
    let switches: Set<String>

    init(
        _ name: String, positionals: [String] = [], valueFlags: Set<String> = [],
        repeatableFlags: Set<String> = [], switches: Set<String> = []
    ) {
        self.name = name
        self.positionals = positionals
        self.valueFlags = valueFlags.union(repeatableFlags)
        self.repeatableFlags = repeatableFlags
        self.switches = switches
    }
}

/// The words after a command, sorted by its `CommandSpec` into positional arguments, flag
/// values and switches. Global flags met on the way go to `GlobalFlags`, so they may come
/// after the command too.
///
/// Flags take their value as the next word or after `=` (`--name=Arsenal v Chelsea`). A word
/// `--` ends the flags: everything after it is positional, so an id may start with `-`.
struct CommandArguments: Sendable, Equatable {
    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var switches: Set<String> = []

    /// Sorts `words` for `spec`, passing global flags to `globals`.
    ///
    /// - Throws: `UsageError` naming an unknown flag, a flag without its value, a flag given
    ///   twice, or a missing or surplus positional argument; the message ends with the
    ///   command's usage line.
    static func parse(
        _ words: ArraySlice<String>, spec: CommandSpec, globals: inout GlobalFlags
    ) throws(UsageError) -> CommandArguments {
        var parsed = CommandArguments()
        var remaining = words
        var flagsEnded = false
        while let word = remaining.popFirst() {
            guard !flagsEnded, word.hasPrefix("-"), word != "-" else {
                parsed.positionals.append(word)
                continue
            }
            if word == "--" {
                flagsEnded = true
                continue
            }
            if try globals.consume(word, from: &remaining) {
                if globals.wantsHelp { return parsed }
                continue
            }
            try parsed.take(word, from: &remaining, spec: spec)
        }

        if parsed.positionals.count < spec.positionals.count {
            let missing = spec.positionals[parsed.positionals.count]
            throw ControlUsage.error("missing \(missing) for \(spec.name)", command: spec.name)
        }
        if parsed.positionals.count > spec.positionals.count {
            let surplus = parsed.positionals[spec.positionals.count]
            throw ControlUsage.error(
                "unexpected argument \"\(surplus)\" for \(spec.name)", command: spec.name)
        }
        return parsed
    }

    /// The value of `flag`, or nil when it was not given.
    func value(_ flag: String) -> String? {
        values[flag]?.last
    }

    /// Every value of a repeatable `flag`, in order.
    func allValues(_ flag: String) -> [String] {
        values[flag] ?? []
    }

    /// Whether the switch `flag` was given.
    func isSet(_ flag: String) -> Bool {
        switches.contains(flag)
    }

    private mutating func take(
        _ word: String, from remaining: inout ArraySlice<String>, spec: CommandSpec
    ) throws(UsageError) {
        let (flag, inlineValue) = GlobalFlags.split(word)
        if spec.switches.contains(flag) {
            guard inlineValue == nil else {
                throw ControlUsage.error("\(flag) takes no value", command: spec.name)
            }
            switches.insert(flag)
            return
        }
        guard spec.valueFlags.contains(flag) else {
            throw ControlUsage.error(
                "unknown flag \(flag) for \(spec.name)", command: spec.name)
        }
        guard let value = inlineValue ?? GlobalFlags.nextValue(from: &remaining) else {
            throw ControlUsage.error("\(flag) needs a value", command: spec.name)
        }
        if values[flag] != nil && !spec.repeatableFlags.contains(flag) {
            throw ControlUsage.error("\(flag) given twice", command: spec.name)
        }
        values[flag, default: []].append(value)
    }
}
