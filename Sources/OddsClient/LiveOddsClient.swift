import Locks
import Transport

/// Live odds from the nearest of several edges: it measures each edge's round trip, streams
/// from the nearest, and when that edge stops answering (the stream ends, fails, or goes
/// silent past the heartbeats) resumes from the next one with `Last-Event-ID`, so nothing
/// is missed and nothing is repeated across the move.
public final class LiveOddsClient: Sendable {
    public struct Settings: Sendable {
        public var edges: [EdgeAddress]
        /// The stream's query: `markets=a,b`, `events=e`, `sport=s`, or empty for all.
        public var query: String
        public var caFile: String?
        /// A stream with no bytes for this long counts as dead. Above the edges'
        /// `streamHeartbeatMs`.
        public var silenceTimeout: Duration64
        /// Round trips measured per edge; the fastest one counts.
        public var probes: Int
        /// Where to resume from: the last event id an earlier run of the client saw.
        public var lastEventID: String?

        public init(edges: [EdgeAddress], query: String = "", caFile: String? = nil,
                    silenceTimeout: Duration64 = .seconds(20), probes: Int = 3,
                    lastEventID: String? = nil)
        {
            self.edges = edges
            self.query = query
            self.caFile = caFile
            self.silenceTimeout = silenceTimeout
            self.probes = probes
            self.lastEventID = lastEventID
        }
    }

    public enum Update: Sendable {
        /// The edges by round trip, nearest first (nil: it did not answer).
        case ranked([(edge: EdgeAddress, roundTripMicros: Int?)])
        /// Streaming from `edge` now.
        case connected(EdgeAddress)
        case event(ServerSentEventMessage, from: EdgeAddress)
        /// The stream from `edge` ended for `reason`; the client moves on.
        case lost(EdgeAddress, reason: String)
    }

    private let settings: Settings
    private let loop: EventLoop
    private let clients: [EdgeAddress: HTTP2Client]
    private let onUpdate: @Sendable (Update) -> Void
    private let state = Lock(State())

    private struct State {
        var order: [EdgeAddress] = []
        var current = 0
        var stream: OddsStream?
        var lastEventID: String?
        var failuresSinceEvent = 0
        var stopped = false
    }

    public init(settings: Settings, onUpdate: @escaping @Sendable (Update) -> Void) throws {
        precondition(!settings.edges.isEmpty, "LiveOddsClient needs at least one edge")
        self.settings = settings
        self.onUpdate = onUpdate
        loop = try EventLoop(name: "odds-client")
        var clients: [EdgeAddress: HTTP2Client] = [:]
        for edge in settings.edges where clients[edge] == nil {
            clients[edge] = try HTTP2Client(
                configuration: edge.clientConfiguration(caFile: settings.caFile), loop: loop)
        }
        self.clients = clients
        state.withLock { $0.lastEventID = settings.lastEventID }
    }

    /// The last event id received, from whichever edge.
    public var lastEventID: String? {
        state.withLock { $0.lastEventID }
    }

    /// The edge streamed from now.
    public var currentEdge: EdgeAddress? {
        state.withLock { $0.order.isEmpty ? nil : $0.order[$0.current] }
    }

    /// Ranks the edges, then streams from the nearest.
    public func start() async {
        let ranked = await rank()
        onUpdate(.ranked(ranked))
        state.withLock { $0.order = ranked.map(\.edge) }
        connect()
    }

    public func stop() {
        let stream = state.withLock { state -> OddsStream? in
            state.stopped = true
            return state.stream
        }
        stream?.cancel()
        for client in clients.values {
            client.close()
        }
        loop.shutdown()
    }

    /// Each edge's best round trip over `probes` requests to `/healthz`, nearest first.
    private func rank() async -> [(edge: EdgeAddress, roundTripMicros: Int?)] {
        var measured: [(edge: EdgeAddress, roundTripMicros: Int?)] = []
        for edge in settings.edges where !measured.contains(where: { $0.edge == edge }) {
            var best: UInt64?
            for _ in 0..<max(1, settings.probes) {
                let started = MonotonicClock.now()
                let request = HTTPClientRequest(path: "/healthz", timeout: .seconds(1))
                guard let response = try? await clients[edge]!.execute(request),
                    response.status == 200
                else { break }
                let took = MonotonicClock.now() &- started
                best = min(best ?? took, took)
            }
            measured.append((edge, best.map { Int($0 / 1000) }))
        }
        return measured.enumerated().sorted { left, right in
            switch (left.element.roundTripMicros, right.element.roundTripMicros) {
            case let (l?, r?): return l != r ? l < r : left.offset < right.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return left.offset < right.offset
            }
        }.map(\.element)
    }

    private func connect() {
        let (edge, lastEventID) = state.withLock { ($0.order[$0.current], $0.lastEventID) }
        guard let client = clients[edge] else { return }
        let stream = OddsStream(client: client, loop: loop)
        let proceed = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.stream = stream
            return true
        }
        guard proceed else { return }
        onUpdate(.connected(edge))
        stream.start(
            query: settings.query, lastEventID: lastEventID,
            silenceTimeout: settings.silenceTimeout,
            onEvent: { [self] event in
                state.withLock { state in
                    state.lastEventID = event.lastEventID.isEmpty
                        ? state.lastEventID : event.lastEventID
                    state.failuresSinceEvent = 0
                }
                onUpdate(.event(event, from: edge))
            },
            onEnd: { [self] reason in
                lost(edge, stream: stream, reason: reason)
            })
    }

    /// Moves to the next edge; after a round of edges without an event, waits first.
    private func lost(_ edge: EdgeAddress, stream: OddsStream, reason: String) {
        let wait = state.withLock { state -> Int? in
            guard !state.stopped, state.stream === stream else { return nil }
            state.failuresSinceEvent += 1
            state.current = (state.current + 1) % state.order.count
            return state.failuresSinceEvent >= state.order.count
                ? (stream.retryMilliseconds ?? 1000) : 0
        }
        guard let wait else { return }
        onUpdate(.lost(edge, reason: reason))
        if wait == 0 {
            loop.execute { [self] in connect() }
        } else {
            loop.execute { [self] in
                _ = loop.scheduleTimer(after: .milliseconds(wait)) { [self] in connect() }
            }
        }
    }
}
