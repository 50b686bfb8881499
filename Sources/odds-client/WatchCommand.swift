import Foundation
import JSON
import OddsClient
import OddsModel
import Service
import Telemetry
import Transport

/// `odds-client watch`: live prices from the nearest of the edges given, one line per
/// change, moving to the next edge (without a gap) when one stops answering.
enum WatchCommand {
    static let usage = """
        usage: odds-client watch --edge URL [--edge URL ...] [--markets A,B] [--events E,F]
                                 [--sport S] [--ca-file FILE] [--silence-ms MS] [--json]

        Streams GET /v1/stream from the nearest edge (best of 3 round trips to /healthz)
        and moves to the next one, resuming with Last-Event-ID, when it stops answering.
        Lines: time, edge, event and what changed; --json prints each event as JSON lines.
        Exit status: 0 after Ctrl-C, 2 usage error.
        """

    static func main(arguments: [String]) async -> Int32 {
        guard arguments.first == "watch" else {
            if let first = arguments.first, first == "-h" || first == "--help" {
                print(usage)
                return 0
            }
            let unknown = arguments.first.map { "odds-client: unknown command \($0)\n" } ?? ""
            ProgramSupport.writeError(unknown + usage)
            return 2
        }
        let options: Options
        switch Options.parse(arguments.dropFirst()) {
        case .success(let parsed): options = parsed
        case .failure(let message):
            if message.text == "help" {
                print(usage)
                return 0
            }
            return fail(message.text)
        }

        ProgramSupport.blockTerminationSignals()
        let logger = Logger(label: "odds-client", level: .info)
        let output = LineOutput(json: options.json, logger: logger)
        let client: LiveOddsClient
        do {
            client = try LiveOddsClient(
                settings: .init(
                    edges: options.edges, query: options.query.joined(separator: "&"),
                    caFile: options.caFile, silenceTimeout: .milliseconds(options.silence)),
                onUpdate: { output.show($0) })
        } catch {
            return fail("\(error)")
        }
        await client.start()
        waitForTermination(client, logger)
    }

    /// Streams until SIGINT or SIGTERM, then stops the client and exits 0.
    private static func waitForTermination(_ client: LiveOddsClient, _ logger: Logger) -> Never {
        ProgramSupport.waitForTermination(logger: logger) { client.stop() }
    }

    private static func fail(_ message: String) -> Int32 {
        ProgramSupport.writeError("odds-client: \(message)\n\(usage)")
        return 2
    }

    struct UsageMessage: Error {
        var text: String
    }

    /// What `watch` was asked for.
    struct Options {
        var edges: [EdgeAddress] = []
        var query: [String] = []
        var caFile: String?
        var silence = 20_000
        var json = false

        static func parse(_ arguments: ArraySlice<String>) -> Result<Options, UsageMessage> {
            var options = Options()
            var index = arguments.startIndex
            while index < arguments.endIndex {
                let flag = arguments[index]
                let value = index + 1 < arguments.endIndex ? arguments[index + 1] : nil
                index += 2
                switch flag {
                case "--edge":
                    guard let value, let edge = EdgeAddress(value) else {
                        return .failure(UsageMessage(
                            text: "--edge takes http://HOST:PORT or https://HOST:PORT"))
                    }
                    options.edges.append(edge)
                case "--markets", "--events", "--sport":
                    guard let value, !value.isEmpty else {
                        return .failure(UsageMessage(text: "\(flag) takes a list of ids"))
                    }
                    options.query.append("\(flag.dropFirst(2))=\(value)")
                case "--ca-file":
                    guard let value else {
                        return .failure(UsageMessage(text: "--ca-file takes a file"))
                    }
                    options.caFile = value
                case "--silence-ms":
                    guard let value, let milliseconds = Int(value), milliseconds >= 100 else {
                        return .failure(UsageMessage(
                            text: "--silence-ms takes milliseconds, at least 100"))
                    }
                    options.silence = milliseconds
                case "--json":
                    options.json = true
                    index -= 1
                case "-h", "--help":
                    return .failure(UsageMessage(text: "help"))
                default:
                    return .failure(UsageMessage(text: "unknown option \(flag)"))
                }
            }
            guard !options.edges.isEmpty else {
                return .failure(UsageMessage(text: "at least one --edge is needed"))
            }
            return .success(options)
        }
    }
}

/// Prints events one line each on stdout, from whichever thread they arrive on; the
/// client's own story (ranking, connections, failovers) goes to the log on stderr.
final class LineOutput: Sendable {
    let json: Bool
    let logger: Logger

    init(json: Bool, logger: Logger) {
        self.json = json
        self.logger = logger
    }

    func show(_ update: LiveOddsClient.Update) {
        let line: String
        switch update {
        case .ranked(let ranked):
            logger.info("edges.ranked", ["edges": .string(ranked.map { edge, micros in
                "\(edge) " + (micros.map { "\($0)us" } ?? "unreachable")
            }.joined(separator: ", "))])
            return
        case .connected(let edge):
            logger.info("stream.connected", ["edge": .string(edge.description)])
            return
        case .lost(let edge, let reason):
            logger.warning("stream.lost", [
                "edge": .string(edge.description), "reason": .string(reason),
            ])
            return
        case .event(let event, let edge):
            line = json ? jsonLine(event, edge) : describe(event, edge)
        }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    private func jsonLine(_ event: ServerSentEventMessage, _ edge: EdgeAddress) -> String {
        var writer = JSONWriter(capacity: event.data.utf8.count + 96)
        writer.beginObject()
        writer.key("edge")
        writer.string(edge.description)
        writer.key("event")
        writer.string(event.event)
        writer.key("id")
        writer.string(event.lastEventID)
        writer.key("data")
        writer.raw(Array(event.data.utf8))
        writer.endObject()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// `12:00:01.234 edge market fb-1-mo open home 2.50 draw 3.40 away 3.10`.
    private func describe(_ event: ServerSentEventMessage, _ edge: EdgeAddress) -> String {
        let time = Timestamp.iso8601(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        let clock = String(time.dropFirst(11).prefix(12))
        guard event.event == "market", let value = try? JSONParser.parse(Array(event.data.utf8)),
            case .object(let market) = value
        else {
            return "\(clock) \(edge.hostPort) \(event.event) \(event.data.prefix(120))"
        }
        var parts = [clock, edge.hostPort, "market", market["id"]?.stringValue ?? "?",
                     market["status"]?.stringValue ?? "?"]
        if case .array(let selections)? = market["selections"] {
            for case .object(let selection) in selections {
                let price: String
                if case .object(let prices)? = selection["price"] {
                    price = prices["decimal"]?.stringValue ?? "-"
                } else {
                    price = "-"
                }
                parts.append("\(selection["id"]?.stringValue ?? "?") \(price)")
            }
        }
        return parts.joined(separator: " ")
    }
}
