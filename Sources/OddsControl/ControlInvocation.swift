import Service

/// A command line, understood: either a request for the help or an action with the options
/// to run it with. Parsing is pure (no I/O, the environment passed in), so tests call it
/// directly.
public enum ControlInvocation: Sendable, Equatable {
    case help
    case run(ControlAction, ControlOptions)

    /// Parses `arguments` (without the program's name), taking the origin, token and CA file
    /// from `environment` when no flag gives them.
    ///
    /// - Throws: `UsageError` whose first line names the fault (an unknown command or flag,
    ///   a missing argument, a bad value, no origin or token) and whose second is a hint.
    public static func parse(
        arguments: [String], environment: [String: String]
    ) throws(UsageError) -> ControlInvocation {
        var globals = GlobalFlags()
        var remaining = arguments[...]
        while let word = remaining.first, word.hasPrefix("-"), word != "-" {
            remaining.removeFirst()
            if word == "--" { break }
            guard try globals.consume(word, from: &remaining) else {
                let shown = TerminalText.sanitized(String(word.prefix(80)))
                throw ControlUsage.error("unknown option \(shown)", command: nil)
            }
        }
        if globals.wantsHelp || remaining.first == "help" {
            return .help
        }
        guard let action = try ControlAction.parse(remaining, globals: &globals) else {
            return .help
        }
        return .run(action, try ControlOptions.resolve(globals, environment: environment))
    }
}
