import Glibc
import Service

/// `oddsctl`: the operator's command line against the origin's admin API.
///
/// Exit status: 0 done; 1 refused by the origin (its problem's title and detail on stderr);
/// 2 usage error (one line naming it, then a hint) or failed request (one line naming
/// the origin and the error).
public enum ControlCommand {
    /// The environment variables oddsctl reads, as fallbacks for the global flags.
    public static let environmentNames = ["ODDSNET_ORIGIN", "ODDSNET_TOKEN", "ODDSNET_CA_FILE"]

    /// Runs the program with `arguments` (without the program's name) and exits.
    public static func main(arguments: [String]) -> Never {
        var environment: [String: String] = [:]
        for name in environmentNames {
            if let value = getenv(name) {
                environment[name] = String(cString: value)
            }
        }
        exit(run(arguments: arguments, environment: environment))
    }

    /// Runs one invocation: parses it, talks to the origin, prints the outcome.
    ///
    /// - Returns: the exit status.
    public static func run(arguments: [String], environment: [String: String]) -> Int32 {
        let invocation: ControlInvocation
        do {
            invocation = try ControlInvocation.parse(
                arguments: arguments, environment: environment)
        } catch {
            let failure = ControlFailure.usage(error)
            ControlOutput.failure(failure.lines, hint: failure.hint)
            return failure.exitStatus
        }

        switch invocation {
        case .help:
            ControlOutput.standardOutput(Array((ControlUsage.text + "\n").utf8))
            return 0
        case .run(let action, let options):
            do {
                let client = try AdminClient(options: options)
                defer { client.close() }
                let output = try ControlSession(options: options, client: client).perform(action)
                ControlOutput.standardOutput(output)
                return 0
            } catch {
                ControlOutput.failure(error.lines, hint: error.hint)
                return error.exitStatus
            }
        }
    }
}
