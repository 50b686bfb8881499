import Foundation
import OddsModel
import Service

/// `odds-bench`: the load and latency tool, and the local network's price simulator.
///
///     odds-bench card --admin URL --token T [--football N] [--tennis N]
///     odds-bench simulate --admin URL --token T [--rate CHANGES_PER_S] [--seconds S]
///     odds-bench propagation --admin URL --token T --feed URL --feed-token T
///                            --edge URL [--edge URL ...] [--rate N] [--markets N] [--seconds S]
///                            [--readable-by stream|poll]
///     odds-bench bets --admin URL --token T --edge URL [--connections N] [--in-flight N]
///                     [--accounts N] [--markets N] [--seconds S] [--rate N] [--timeline]
///
/// Exit status 0 done, 1 the run failed, 2 usage error.
public enum BenchCommand {
    static let usage = """
        usage: odds-bench card --admin URL --token T [--football N] [--tennis N]
               odds-bench simulate --admin URL --token T [--rate N] [--seconds S]
               odds-bench propagation --admin URL --token T --feed URL --feed-token T
                                      --edge URL [--edge URL ...] [--rate N] [--markets N]
                                      [--seconds S] [--readable-by stream|poll] [--json]
               odds-bench bets --admin URL --token T --edge URL [--connections N]
                               [--in-flight N] [--accounts N] [--markets N] [--seconds S]
                               [--rate N] [--timeline] [--json]
               odds-bench streams (--admin URL --token T --feed URL --feed-token T --edge URL...
                                  | --pushpin-publish URL --pushpin URL) [--clients N]
                                  [--markets N] [--rate N] [--seconds S] [--measure-pid PID...]
                                  [--name NAME] [--json]
        """

    public static func main(arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            ProgramSupport.writeError(usage)
            return 2
        }
        let options: Options
        do {
            options = try Options.parse(arguments.dropFirst())
        } catch {
            ProgramSupport.writeError("odds-bench: \(error)\n\(usage)")
            return 2
        }
        do {
            switch command {
            case "card": try await card(options)
            case "simulate": try await simulate(options)
            case "propagation": try await propagation(options)
            case "bets": try await bets(options)
            case "streams": try await streams(options)
            case "-h", "--help", "help":
                print(usage)
            default:
                ProgramSupport.writeError("odds-bench: unknown command \(command)\n\(usage)")
                return 2
            }
            return 0
        } catch let error as UsageError {
            ProgramSupport.writeError("odds-bench: \(error)\n\(usage)")
            return 2
        } catch {
            ProgramSupport.writeError("odds-bench: \(error)")
            return 1
        }
    }

    struct Options {
        var values: [String: [String]] = [:]
        var flags: Set<String> = []

        static func parse(_ arguments: ArraySlice<String>) throws(UsageError) -> Options {
            var options = Options()
            var remaining = arguments
            while let argument = remaining.popFirst() {
                guard argument.hasPrefix("--") else {
                    throw UsageError("unexpected argument \(argument)")
                }
                let name = String(argument.dropFirst(2))
                if name == "json" || name == "timeline" {
                    options.flags.insert(name)
                    continue
                }
                guard let value = remaining.popFirst() else {
                    throw UsageError("\(argument) needs a value")
                }
                options.values[name, default: []].append(value)
            }
            return options
        }

        func string(_ name: String) throws(UsageError) -> String {
            guard let value = values[name]?.last else { throw UsageError("--\(name) is required") }
            return value
        }

        func int(_ name: String, default value: Int, range: ClosedRange<Int>) throws(UsageError)
            -> Int
        {
            guard let text = values[name]?.last else { return value }
            guard let number = Int(text), range.contains(number) else {
                throw UsageError("--\(name): expected \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
    }

    private static func admin(_ options: Options) throws -> AdminConnection {
        try AdminConnection(
            url: try options.string("admin"), token: try options.string("token"),
            caFile: options.values["ca-file"]?.last, name: "admin")
    }

    private static func card(_ options: Options) async throws {
        let admin = try admin(options)
        defer { admin.close() }
        let football = try options.int("football", default: 20, range: 0...1000)
        let tennis = try options.int("tennis", default: 24, range: 0...1000)
        let now = WallClock.micros() / 1000
        let today = now - now % 86_400_000
        let entries = SampleCard.entries(
            footballMatches: football, tennisMatches: tennis, day: today)
        for entry in entries {
            try await admin.expectOK(.put, entry.path, json: entry.body)
        }
        let markets = entries.filter { $0.path.contains("/markets/") }.count
        print("card: \(entries.count - markets) events, \(markets) markets")
    }

    private static func simulate(_ options: Options) async throws {
        let admin = try admin(options)
        defer { admin.close() }
        let rate = try options.int("rate", default: 200, range: 1...1_000_000)
        let seconds = options.values["seconds"]?.last.flatMap(Double.init)
        try await PriceSimulator(admin: admin, changesPerSecond: rate).run(seconds: seconds)
    }

    private static func propagation(_ options: Options) async throws {
        let admin = try admin(options)
        defer { admin.close() }
        let edges = options.values["edge"] ?? []
        guard !edges.isEmpty else { throw UsageError("--edge is required") }
        var benchmark = PropagationBenchmark(
            admin: admin, feedURL: try options.string("feed"),
            feedToken: try options.string("feed-token"), edgeURLs: edges,
            changesPerSecond: try options.int("rate", default: 1000, range: 1...1_000_000),
            markets: try options.int("markets", default: 1000, range: 1...100_000),
            seconds: Double(try options.int("seconds", default: 10, range: 1...3600)))
        if let way = options.values["readable-by"]?.last {
            guard let chosen = PropagationBenchmark.ReadableBy(rawValue: way) else {
                throw UsageError("--readable-by: stream or poll")
            }
            benchmark.readableBy = chosen
        }
        let result = try await benchmark.run()
        let rows = [("feed client", result.feed)] + result.edges.map { ("edge \($0.0)", $0.1) }
        if options.flags.contains("json") {
            for (name, samples) in rows {
                guard let summary = samples.summary() else { continue }
                print("{\"rate\":\(result.rate),\"achieved\":\(Int(result.achievedRate)),"
                    + "\"target\":\"\(name)\",\"samples\":\(samples.count),"
                    + "\"p50_ms\":\(summary.p50),\"p99_ms\":\(summary.p99),"
                    + "\"p999_ms\":\(summary.p999),\"max_ms\":\(summary.max)}")
            }
            return
        }
        print("propagation at \(result.rate) changes/s (achieved \(Int(result.achievedRate)))")
        print("  target                         samples     p50 ms    p99 ms   p999 ms    max ms")
        for (name, samples) in rows {
            guard let summary = samples.summary() else {
                print("  \(name): no samples")
                continue
            }
            print("  " + [
                name.padding(toLength: 28, withPad: " ", startingAt: 0),
                pad(String(samples.count), 10), pad(format(summary.p50), 10),
                pad(format(summary.p99), 10), pad(format(summary.p999), 10),
                pad(format(summary.max), 10),
            ].joined())
        }
    }

    private static func streams(_ options: Options) async throws {
        let target: StreamBenchmark.Target
        var connections: [AdminConnection] = []
        defer { connections.forEach { $0.close() } }
        if let publish = options.values["pushpin-publish"]?.last {
            target = .pushpin(
                publishPort: try port(publish), streamPort: try port(options.string("pushpin")))
        } else {
            let admin = try admin(options)
            let feed = try AdminConnection(
                url: try options.string("feed"), token: nil, name: "feed")
            connections += [admin, feed]
            let edges = try (options.values["edge"] ?? []).map(port)
            guard !edges.isEmpty else { throw UsageError("--edge is required") }
            target = .oddsnet(
                admin: admin, feed: feed, feedToken: try options.string("feed-token"),
                edgePorts: edges)
        }
        let markets = try options.int("markets", default: 1000, range: 1...100_000)
        if case .oddsnet(let admin, _, _, _) = target {
            try await BenchLoad.createMarkets(admin, count: markets)
        }
        let benchmark = StreamBenchmark(
            target: target,
            clients: try options.int("clients", default: 10_000, range: 1...200_000),
            markets: markets,
            changesPerSecond: try options.int("rate", default: 1000, range: 1...1_000_000),
            seconds: Double(try options.int("seconds", default: 10, range: 1...3600)),
            measuredPIDs: try (options.values["measure-pid"] ?? []).map { text in
                guard let pid = Int32(text) else { throw UsageError("--measure-pid: a pid") }
                return pid
            })
        let result = try await benchmark.run()
        let name = options.values["name"]?.last ?? "server"
        let summary = result.samples.summary()
        let idle = result.idleBytesPerClient.map { String(format: "%.1f", Double($0) / 1024) }
        if options.flags.contains("json") {
            print("{\"name\":\"\(name)\",\"clients\":\(result.clientsReady),"
                + "\"achieved\":\(Int(result.achievedRate)),\"delivered\":\(result.delivered),"
                + "\"expected\":\(result.expected),\"p50_ms\":\(summary?.p50 ?? -1),"
                + "\"p99_ms\":\(summary?.p99 ?? -1),\"p999_ms\":\(summary?.p999 ?? -1),"
                + "\"max_ms\":\(summary?.max ?? -1),\"idle_kib_per_client\":\(idle ?? "null")}")
            return
        }
        print("\(name): \(result.clientsReady) clients, \(Int(result.achievedRate)) changes/s, "
            + "\(result.delivered) of \(result.expected) deliveries")
        if let summary {
            print(String(
                format: "  p50 %.3f ms  p99 %.3f ms  p999 %.3f ms  max %.3f ms",
                summary.p50, summary.p99, summary.p999, summary.max))
        }
        if let idle {
            print("  memory per idle client: \(idle) KiB")
        }
    }

    /// The port of `http://HOST:PORT`.
    private static func port(_ url: String) throws -> UInt16 {
        guard let text = url.split(separator: ":").last?.split(separator: "/").first,
            let port = UInt16(text)
        else { throw UsageError("\(url): expected http://127.0.0.1:PORT") }
        return port
    }

    private static func bets(_ options: Options) async throws {
        let admin = try admin(options)
        defer { admin.close() }
        let benchmark = BetBenchmark(
            admin: admin, edgeURL: try options.string("edge"),
            accounts: try options.int("accounts", default: 100, range: 1...100_000),
            markets: try options.int("markets", default: 100, range: 1...100_000),
            connections: try options.int("connections", default: 16, range: 1...1000),
            inFlight: try options.int("in-flight", default: 32, range: 1...1000),
            seconds: Double(try options.int("seconds", default: 10, range: 1...3600)),
            steadyRate: options.values["rate"]?.last.flatMap { Int($0) })
        let result = try await benchmark.run()
        if !options.flags.contains("json") {
            print("bets through one edge: \(benchmark.connections) connections, "
                + "\(benchmark.inFlight) in flight each at saturation")
            print("  phase              accepted  other  accepted/s   p50 ms   p99 ms  p999 ms"
                + "   max ms")
        }
        let rows = [
            ("saturation", result.saturation), ("steady \(result.rate)/s", result.steady),
        ]
        for (name, phase) in rows {
            guard let summary = phase.samples.summary() else { continue }
            if options.flags.contains("json") {
                print("{\"phase\":\"\(name)\",\"sent\":\(phase.sent),"
                    + "\"accepted\":\(phase.accepted),\"other\":\(phase.other),"
                    + "\"accepted_per_s\":\(Int(phase.acceptedPerSecond)),"
                    + "\"p50_ms\":\(summary.p50),\"p99_ms\":\(summary.p99),"
                    + "\"p999_ms\":\(summary.p999),\"max_ms\":\(summary.max)}")
                continue
            }
            print("  " + [
                name.padding(toLength: 18, withPad: " ", startingAt: 0),
                pad(String(phase.accepted), 9), pad(String(phase.other), 7),
                pad(String(Int(phase.acceptedPerSecond)), 11), pad(format(summary.p50), 9),
                pad(format(summary.p99), 9), pad(format(summary.p999), 9),
                pad(format(summary.max), 9),
            ].joined())
            if phase.other > 0 {
                let statuses = phase.otherStatuses.sorted { $0.key < $1.key }
                    .map { "\($0.key == 0 ? "no answer" : String($0.key)): \($0.value)" }
                print("    not accepted: " + statuses.joined(separator: ", "))
            }
        }
        if options.flags.contains("timeline"), !options.flags.contains("json") {
            printTimeline(result.steady.timeline)
        }
    }

    /// The steady phase half a second at a time, to tell a few bad moments from a drift.
    private static func printTimeline(_ timeline: LatencyTimeline) {
        print("  steady phase by half second:   from s   bets   p50 ms   p99 ms    max ms")
        for row in timeline.rows(slice: 0.5) {
            print("                               " + [
                pad(String(format: "%.1f", row.at), 7), pad(String(row.count), 7),
                pad(format(row.p50), 9), pad(format(row.p99), 9), pad(format(row.max), 10),
            ].joined())
        }
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%.3f", milliseconds)
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
