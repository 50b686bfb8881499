import Foundation
import JSON
import Locks
import OddsModel
import Transport

/// Many live-odds clients at once: the time from a price change to its arrival at every
/// client that follows the market, and the memory an idle client costs the server.
///
/// Against Oddsnet, clients follow one market each on `/v1/stream`, spread over the edges;
/// each change is timed from the moment the origin's commit of it completed (taken from a
/// feed stream of the bench's own) to its arrival at each client, matched by the sequence
/// number in the event id. Against Pushpin, clients hold one channel each and the bench
/// publishes an event of the same size per change, timed from just before it is sent to
/// Pushpin's publish endpoint (Pushpin has no commit to wait for).
struct StreamBenchmark {
    enum Target {
        case oddsnet(admin: AdminConnection, feed: AdminConnection, feedToken: String,
                     edgePorts: [UInt16])
        case pushpin(publishPort: UInt16, streamPort: UInt16)
    }

    let target: Target
    let clients: Int
    let markets: Int
    let changesPerSecond: Int
    let seconds: Double
    /// Processes whose memory an idle client costs: the edges, or Pushpin's.
    let measuredPIDs: [Int32]

    struct Result {
        var samples: LatencySamples
        var delivered: Int
        var expected: Int
        var achievedRate: Double
        var idleBytesPerClient: Int?
        var clientsReady: Int
    }

    func run() async throws -> Result {
        let arrivals = Lock<[(UInt64, Int64)]>([])
        arrivals.withLock { $0.reserveCapacity(changesPerSecond * Int(seconds + 5) * clients
            / max(1, markets)) }
        let pool = SSEClientPool(threads: 2) { id, arrived in
            guard let sequence = StreamEventID.parse(id)?.sequence else { return }
            arrivals.withLock { $0.append((sequence, arrived)) }
        }
        let before = measuredPIDs.compactMap(Self.residentBytes).reduce(0, +)
        pool.start()
        let ready = try await openClients(pool)
        try await Task.sleep(nanoseconds: 2_000_000_000)  // let the servers settle, idle
        let after = measuredPIDs.compactMap(Self.residentBytes).reduce(0, +)
        let idle = measuredPIDs.isEmpty ? nil : max(0, after - before) / max(1, ready)
        arrivals.withLock { $0.removeAll(keepingCapacity: true) }

        let committed = Lock<[UInt64: Int64]>([:])
        let achieved: Double
        switch target {
        case .oddsnet(let admin, let feed, let token, _):
            let head = try await BenchLoad.originHead(admin)
            let handle = BenchLoad.watchCommits(feed, token: token, after: head) {
                sequences, committedAt, _ in
                committed.withLock { table in
                    for sequence in sequences {
                        table[sequence] = committedAt
                    }
                }
            }
            defer { handle.cancel() }
            achieved = try await BenchLoad.movePrices(
                admin, markets: markets, changesPerSecond: changesPerSecond, seconds: seconds)
            try await Task.sleep(nanoseconds: 1_000_000_000)  // the last ones arrive
        case .pushpin(let publishPort, _):
            achieved = try await publishToPushpin(HTTP1Poster(port: publishPort), sent: committed)
            try await Task.sleep(nanoseconds: 1_000_000_000)
        }
        pool.stop()

        let samples = LatencySamples()
        let times = committed.withLock { $0 }
        var delivered = 0
        for (sequence, arrived) in arrivals.withLock({ $0 }) {
            guard let start = times[sequence] else { continue }
            delivered += 1
            samples.add(arrived - start)
        }
        return Result(
            samples: samples, delivered: delivered,
            expected: times.count * clients / max(1, markets), achievedRate: achieved,
            idleBytesPerClient: idle, clientsReady: ready)
    }

    /// Opens the clients in waves (a crowd arriving, not one burst of SYNs), each wave once
    /// the one before has its first events; returns how many clients got theirs.
    private func openClients(_ pool: SSEClientPool) async throws -> Int {
        var targets: [SSEClientPool.Target] = []
        for index in 0..<clients {
            let market = index % markets
            switch target {
            case .oddsnet(_, _, _, let ports):
                targets.append(.init(
                    port: ports[index % ports.count], path: "/v1/stream?markets=bench-\(market)"))
            case .pushpin(_, let port):
                targets.append(.init(port: port, path: "/sse/bench-\(market)"))
            }
        }
        var opened = 0
        while opened < targets.count {
            let wave = targets[opened..<min(targets.count, opened + Self.wave)]
            try pool.open(Array(wave))
            opened += wave.count
            await waitForClients(pool, opened)
        }
        return pool.progress.withEvent
    }

    static let wave = 500

    /// Waits until `count` clients have their first event (a snapshot, or Pushpin's hello),
    /// or failed, or nothing moved for 20 s.
    private func waitForClients(_ pool: SSEClientPool, _ count: Int) async {
        let deadline = Date().addingTimeInterval(120)
        var last = -1
        var quietSince = Date()
        while Date() < deadline {
            let progress = pool.progress
            if progress.withEvent + progress.failed >= count {
                break
            }
            if progress.withEvent != last {
                last = progress.withEvent
                quietSince = Date()
            } else if Date().timeIntervalSince(quietSince) > 20 {
                break
            }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Publishes one event per change to channel `bench-N`, every 10 ms a batch, recording
    /// when each was sent under its number.
    private func publishToPushpin(_ publish: HTTP1Poster, sent: Lock<[UInt64: Int64]>)
        async throws -> Double
    {
        let padding = String(repeating: "x", count: 380)
        return try await BenchLoad.paced(
            changesPerSecond: changesPerSecond, seconds: seconds
        ) { first, count in
            var writer = JSONWriter(capacity: count * 600)
            writer.beginObject()
            writer.key("items")
            writer.beginArray()
            let now = WallClock.micros()
            for index in first..<(first + count) {
                let number = UInt64(index + 1)
                let market = index % markets
                let data = "{\"id\":\"bench-\(market)\",\"version\":\(number),"
                    + "\"selections\":[{\"id\":\"home\",\"price\":\"2.02\"}],"
                    + "\"pad\":\"\(padding)\"}"
                writer.beginObject()
                writer.key("channel")
                writer.string("bench-\(market)")
                writer.key("formats")
                writer.beginObject()
                writer.key("http-stream")
                writer.beginObject()
                writer.key("content")
                writer.string("id: 0-\(number)\nevent: market\ndata: \(data)\n\n")
                writer.endObject()
                writer.endObject()
                writer.endObject()
                sent.withLock { $0[number] = now }
            }
            writer.endArray()
            writer.endObject()
            let status = try publish.post("/publish/", json: writer.bytes)
            guard status == 200 else {
                throw BenchError("Pushpin answered \(status) to a publish")
            }
        }
    }

    /// A process's resident memory, bytes.
    static func residentBytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kib * 1024
    }
}
