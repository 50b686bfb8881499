import Service

/// The help text, and usage errors that end with a hint on how to get it right.
public enum ControlUsage {
    /// Each command's name as the parser knows it, and its synopsis; a synopsis line that
    /// goes on is indented to follow the command's name when shown.
    static let synopses: [(command: String, synopsis: String)] = [
        ("status", "status"),
        ("events", "events [--sport S] [--status S]"),
        ("event show", "event show ID"),
        ("event put",
         "event put ID --sport S --competition C --name N --start TIME [--status S]"),
        ("event update",
         "event update ID [--sport S] [--competition C] [--name N] [--start TIME]\n"
            + "[--status S]"),
        ("markets", "markets [--event E] [--status S]"),
        ("market show", "market show ID"),
        ("market put",
         "market put ID --event E --type T --name N [--status S] [--in-play]\n"
            + "[--bet-delay-ms N] --selection ID:NAME:PRICE [--selection ...]"),
        ("market update",
         "market update ID [--name N] [--status S] [--in-play true|false]\n"
            + "[--bet-delay-ms N]"),
        ("market suspend", "market suspend|resume|close ID"),
        ("market resume", "market suspend|resume|close ID"),
        ("market close", "market suspend|resume|close ID"),
        ("price set", "price set MARKET SELECTION PRICE"),
        ("price batch", "price batch FILE|-"),
        ("edges", "edges"),
        ("account create",
         "account create ID [--min-stake N] [--max-stake N] [--max-liability N]\n"
            + "[--bets-per-second N]"),
        ("account show", "account show ID"),
        ("account deposit", "account deposit ID AMOUNT [--reference TEXT]"),
        ("account withdraw", "account withdraw ID AMOUNT [--reference TEXT]"),
        ("account limits",
         "account limits ID [--min-stake N] [--max-stake N] [--max-liability N]\n"
            + "[--bets-per-second N]"),
        ("account ledger", "account ledger ID"),
        ("account bets", "account bets ID"),
        ("token issue", "token issue --account ID [--ttl 24h]"),
        ("bet show", "bet show ID"),
        ("bet void", "bet void ID"),
        ("market settle", "market settle ID --winner SELECTION[:N/D] [--winner ...] | --void"),
        ("market resettle",
         "market resettle ID --winner SELECTION[:N/D] [--winner ...] | --void"),
        ("ledger check", "ledger check"),
        ("help", "help"),
    ]

    /// The whole help, for `oddsctl --help` and `oddsctl help`.
    public static var text: String {
        let commands = lines(for: synopses, prefix: "  ").joined(separator: "\n")
        return """
            usage: oddsctl [global options] COMMAND [arguments]

            Global options (before or after the command):
              --origin URL        the origin's admin API: http://HOST:PORT (h2c) or
                                  https://HOST:PORT (TLS, ALPN h2); default $ODDSNET_ORIGIN
              --token TOKEN       the admin bearer token; default $ODDSNET_TOKEN
              --ca-file FILE      PEM file of the CAs to trust for https; default
                                  $ODDSNET_CA_FILE, else the system's trust store
              --json              print the origin's JSON answer instead of a table
              --timeout SECONDS   give up on a request after this long (default 10)
              -h, --help          print this help

            Commands:
            \(commands)

            Values: TIME is UTC, like 2026-12-05T15:00:00Z. Event status: scheduled, in_play,
            ended. Market status: open, suspended, closed. PRICE: decimal odds above 1.00 with
            at most 4 decimal places. ID:NAME:PRICE splits at the first and the last colon.
            AMOUNT and the stake and liability limits are whole minor units (1050 is 10.50).
            --ttl takes seconds or 90s, 30m, 24h, 7d. A winner's N/D is its dead-heat share:
            home:1/2 pays half the stake's winnings at the full price.

            A batch FILE (- reads stdin) holds {"prices":[{"market","selection","price"}]}, a
            JSON array of such items, or lines of MARKET SELECTION PRICE (# starts a comment).
            Every price is checked before anything is sent. A batch is applied all or nothing,
            but one of more than 100000 items goes as several requests, in order.

            Exit status: 0 done; 1 refused by the origin (its reason on stderr); 2 usage error,
            or no answer from the origin (unreachable, TLS failure, timeout).
            """
    }

    /// A usage error: `message` (made safe for a terminal, since it quotes what was typed),
    /// then the synopsis of `command`, or a pointer to the help when no command is known.
    /// A `command` that is a group (`market`) gets the synopses of all its subcommands.
    static func error(_ message: String, command: String?) -> UsageError {
        let matching = synopses.filter { entry in
            command.map { entry.command == $0 || entry.command.hasPrefix($0 + " ") } ?? false
        }
        let hint = matching.isEmpty
            ? "run 'oddsctl --help' for the commands"
            : "usage:" + lines(for: matching, prefix: "       oddsctl ").joined(separator: "\n")
                .dropFirst("usage:".count)
        return UsageError(TerminalText.sanitized(message) + "\n" + hint)
    }

    /// Each distinct synopsis after `prefix`, its later lines indented to follow the
    /// command's name.
    private static func lines(
        for entries: [(command: String, synopsis: String)], prefix: String
    ) -> [String] {
        var seen: Set<String> = []
        return entries.filter { seen.insert($0.synopsis).inserted }.map { entry in
            let indent = String(
                repeating: " ", count: prefix.count + entry.command.count + 1)
            return prefix + entry.synopsis.split(separator: "\n").joined(separator: "\n" + indent)
        }
    }
}
