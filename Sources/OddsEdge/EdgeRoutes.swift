import JSON
import OddsModel
import Service
import Store
import Telemetry
import Transport

/// The client API of an edge: markets and events read straight from LMDB, with `ETag`,
/// `304` on `If-None-Match`, `Cache-Control`, the origin's publish time and the data's age;
/// probes and metrics.
struct EdgeRoutes: Sendable {
    let store: EdgeStore
    let state: EdgeState
    let metrics: EdgeMetrics
    let staleAfterMicros: Int64
    let cacheControl: String
    private let marketRoute: RouteCounters.Route
    private let marketsRoute: RouteCounters.Route
    private let eventRoute: RouteCounters.Route
    private let eventsRoute: RouteCounters.Route

    init(
        store: EdgeStore, state: EdgeState, metrics: EdgeMetrics, staleAfterMicros: Int64,
        cacheControl: String
    ) {
        self.store = store
        self.state = state
        self.metrics = metrics
        self.staleAfterMicros = staleAfterMicros
        self.cacheControl = cacheControl
        marketRoute = metrics.requests.route("market")
        marketsRoute = metrics.requests.route("markets")
        eventRoute = metrics.requests.route("event")
        eventsRoute = metrics.requests.route("events")
    }

    func router(integrity: (@Sendable () async -> IntegrityReport?)?, adminToken: BearerToken?)
        -> Router
    {
        var router = Router()
        let routes = self
        router.add(.get, "/v1/markets/:id") { request, responder in
            responder.respond(request.withParameter("id") { id in
                routes.record(
                    table: routes.store.markets, id: id, request: request,
                    route: routes.marketRoute, what: "market")
            } ?? HTTPResponse.problem(status: 404, title: "Not found"))
        }
        router.add(.get, "/v1/markets") { request, responder in
            responder.respond(routes.marketList(request))
        }
        router.add(.get, "/v1/events/:id") { request, responder in
            responder.respond(routes.event(id: request.parameter("id") ?? "", request))
        }
        router.add(.get, "/v1/events") { request, responder in
            responder.respond(routes.eventList(request))
        }
        router.add(.get, "/healthz") { _, responder in
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "ok\n"))
        }
        router.add(.get, "/readyz") { request, responder in
            Readiness.answer(request, responder, state: routes.state)
        }
        router.add(.get, "/metrics") { _, responder in
            let used = (try? routes.store.environment.statistics.usedBytes) ?? 0
            routes.metrics.storeBytes.set(used)
            responder.respond(HTTPResponse(
                status: 200, contentType: MetricsRegistry.contentType,
                text: routes.metrics.registry.render()))
        }
        if let integrity, let adminToken {
            router.add(.post, "/v1/admin/integrity-check") { request, responder in
                guard adminToken.admits(request.headers) else {
                    responder.respond(BearerToken.refusal)
                    return
                }
                Task {
                    guard let report = await integrity() else {
                        responder.respond(.problem(
                            status: 503, title: "Unavailable",
                            detail: "the origin could not be asked, or the edge is "
                                + "resynchronising"))
                        return
                    }
                    responder.respond(.json { writer in
                        writer.beginObject()
                        writer.key("digest")
                        writer.string(report.outcome.name)
                        writer.key("marketsRepaired")
                        writer.int(Int64(report.marketsRepaired))
                        writer.endObject()
                    })
                }
            }
        }
        return router
    }

    // MARK: Reads

    /// One stored record (a market, or an event without its markets) as JSON.
    ///
    /// The record's header is read from LMDB on every request; the response built from it is
    /// kept per loop thread and reused while the header and the freshness headers are the
    /// same, so a hot market costs a lookup, not a rebuild.
    private func record(
        table: StoreTable, id: UnsafeRawBufferPointer, request: HTTPRequest,
        route: RouteCounters.Route, what: String
    ) -> HTTPResponse {
        let now = WallClock.micros()
        let (epoch, lastHeardMicros) = state.readFreshness
        let (ageSeconds, stale) = freshness(lastHeardMicros: lastHeardMicros, now: now)
        let cache = Self.cache.value
        // Read before the store: an answer checked at this count is at least this current
        // (the count moves as each commit completes, before the applier reports readiness).
        let generation = store.environment.commits
        // A nested function, not a closure value: a closure that captures would be
        // allocated on every read.
        func fresh(_ cached: borrowing ResponseCache.Entry) -> Bool {
            cached.epoch == epoch && cached.ageSeconds == ageSeconds && cached.stale == stale
        }
        if let (response, etag) = cache.entry(for: id, checkedAt: generation, where: fresh) {
            // Nothing committed since this answer was last checked: no lookup.
            return conditional(response, etag: etag, request: request, route: route)
        }
        let found: (response: HTTPResponse, etag: String)??
        do {
            found = try store.environment.read { txn in
                try txn.withValue(table, keyBytes: id) { record in
                    guard let header = EdgeRecord.header(record) else { return nil }
                    if let cached = cache.entry(for: id, stamping: generation, where: { cached in
                        cached.version == header.version
                            && cached.publishedAtMicros == header.publishedAtMicros
                            && fresh(cached)
                    }) {
                        return cached
                    }
                    let etag = Self.etag(epoch: epoch, version: header.version)
                    var headers = freshnessHeaders(ageSeconds: ageSeconds, stale: stale)
                    headers.add("etag", etag, indexing: .never)
                    headers.add("content-type", "application/json")
                    let response = HTTPResponse(
                        status: 200, headers: headers,
                        body: Array(EdgeRecord.json(record, header)))
                    cache.store(id, ResponseCache.Entry(
                        generation: generation, version: header.version,
                        publishedAtMicros: header.publishedAtMicros,
                        epoch: epoch, ageSeconds: ageSeconds, stale: stale,
                        etag: etag, response: response))
                    return (response, etag)
                }
            }
        } catch {
            return answer(route, .problem(
                status: 500, title: "Store error", detail: "\(error)"))
        }
        guard let (response, etag) = found ?? nil else {
            let shown = String(decoding: id.prefix(80), as: UTF8.self)
            return answer(route, .problem(
                status: 404, title: "Not found", detail: "no \(what) \(shown)"))
        }
        return conditional(response, etag: etag, request: request, route: route)
    }

    /// `response`, or 304 when the request's `If-None-Match` names `etag`.
    private func conditional(
        _ response: HTTPResponse, etag: String, request: HTTPRequest,
        route: RouteCounters.Route
    ) -> HTTPResponse {
        if let ifNoneMatch = request.headers["if-none-match"], Self.matches(ifNoneMatch, etag) {
            var headers = response.headers
            headers.remove("content-type")
            return answer(route, HTTPResponse(status: 304, headers: headers))
        }
        return answer(route, response)
    }

    private static let cache = ThreadLocalCache { ResponseCache() }

    private func event(id: Substring, _ request: HTTPRequest) -> HTTPResponse {
        let now = WallClock.micros()
        let edge = state.snapshot
        let eventKey = Array(id.utf8)
        var body: [UInt8]?
        var newest: UInt64 = 0
        var eventPublished: Int64 = 0
        do {
            try store.environment.read { txn in
                guard let stored = try txn.withValue(store.events, eventKey, { record in
                    EdgeRecord.header(record).flatMap { header in
                        (try? Event(wireBytes: EdgeRecord.wire(record, header)))
                            .map { ($0, header) }
                    }
                }), let (event, header) = stored else { return }
                newest = header.version
                eventPublished = header.publishedAtMicros
                var markets: [[UInt8]] = []
                let prefix = eventKey + [0]
                try txn.forEach(store.eventMarkets, from: prefix) { key, _ in
                    guard key.starts(with: prefix) else { return false }
                    let marketKey = Array(key[prefix.count...])
                    try txn.withValue(store.markets, marketKey) { record in
                        guard let header = EdgeRecord.header(record) else { return }
                        newest = max(newest, header.version)
                        markets.append(Array(EdgeRecord.json(record, header)))
                    }
                    return true
                }
                var writer = JSONWriter(capacity: 512 + markets.count * 700)
                event.writeJSON(
                    to: &writer, publishedAtMicros: eventPublished, markets: markets)
                body = writer.bytes
            }
        } catch {
            return answer(
                eventRoute, .problem(status: 500, title: "Store error", detail: "\(error)"))
        }
        guard let body else {
            return answer(eventRoute, .problem(
                status: 404, title: "Not found", detail: "no event \(id.prefix(80))"))
        }
        let etag = Self.etag(epoch: edge.applied.epoch, version: newest)
        var headers = freshnessHeaders(edge: edge, now: now)
        headers.add("etag", etag, indexing: .never)
        if let ifNoneMatch = request.headers["if-none-match"], Self.matches(ifNoneMatch, etag) {
            return answer(eventRoute, HTTPResponse(status: 304, headers: headers))
        }
        headers.add("content-type", "application/json")
        return answer(eventRoute, HTTPResponse(status: 200, headers: headers, body: body))
    }

    /// `GET /v1/markets?event=ID&status=open&inPlay=true&type=match_odds`
    private func marketList(_ request: HTTPRequest) -> HTTPResponse {
        let event = request.queryParameter("event")
        let status = request.queryParameter("status")
        let type = request.queryParameter("type")
        let inPlay: Bool?
        switch request.queryParameter("inPlay") {
        case nil: inPlay = nil
        case "true": inPlay = true
        case "false": inPlay = false
        case let other?:
            return answer(marketsRoute, .problem(
                status: 400, title: "Invalid request",
                detail: "inPlay: true or false, not \(other.prefix(40))"))
        }
        if let status, Market.Status(rawValue: status) == nil {
            return answer(marketsRoute, .problem(
                status: 400, title: "Invalid request",
                detail: "status: unknown \(status.prefix(40))"))
        }
        return list(marketsRoute, request, table: store.markets) { wire in
            guard let market = try? Market(wireBytes: wire) else { return false }
            return (event == nil || market.eventID == event)
                && (status == nil || market.status.rawValue == status)
                && (type == nil || market.type == type)
                && (inPlay == nil || market.inPlay == inPlay)
        }
    }

    /// `GET /v1/events?sport=football&status=in_play&inPlay=true&competition=...`
    private func eventList(_ request: HTTPRequest) -> HTTPResponse {
        let sport = request.queryParameter("sport")
        let competition = request.queryParameter("competition")
        var status = request.queryParameter("status")
        switch request.queryParameter("inPlay") {
        case nil: break
        case "true": status = Event.Status.inPlay.rawValue
        case "false" where status == nil: status = Event.Status.scheduled.rawValue
        case "false": break
        case let other?:
            return answer(eventsRoute, .problem(
                status: 400, title: "Invalid request",
                detail: "inPlay: true or false, not \(other.prefix(40))"))
        }
        if let status, Event.Status(rawValue: status) == nil {
            return answer(eventsRoute, .problem(
                status: 400, title: "Invalid request",
                detail: "status: unknown \(status.prefix(40))"))
        }
        return list(eventsRoute, request, table: store.events) { wire in
            guard let event = try? Event(wireBytes: wire) else { return false }
            return (sport == nil || event.sport == sport)
                && (competition == nil || event.competition == competition)
                && (status == nil || event.status.rawValue == status)
        }
    }

    /// A JSON array of the records of `table` that `include` accepts, in id order. Its ETag
    /// is the store's position: any change anywhere gives a new one.
    private func list(
        _ route: RouteCounters.Route, _ request: HTTPRequest, table: StoreTable,
        include: (UnsafeRawBufferPointer) -> Bool
    ) -> HTTPResponse {
        let now = WallClock.micros()
        let edge = state.snapshot
        let etag = "W/" + Self.etag(epoch: edge.applied.epoch, version: edge.applied.sequence)
        var headers = freshnessHeaders(edge: edge, now: now)
        headers.add("etag", etag, indexing: .never)
        if let ifNoneMatch = request.headers["if-none-match"], Self.matches(ifNoneMatch, etag) {
            return answer(route, HTTPResponse(status: 304, headers: headers))
        }
        var writer = JSONWriter(capacity: 64 * 1024)
        writer.beginArray()
        do {
            try store.environment.read { txn in
                try txn.forEach(table) { _, record in
                    guard let header = EdgeRecord.header(record),
                        include(EdgeRecord.wire(record, header))
                    else { return true }
                    writer.raw(Array(EdgeRecord.json(record, header)))
                    return true
                }
            }
        } catch {
            return answer(route, .problem(status: 500, title: "Store error", detail: "\(error)"))
        }
        writer.endArray()
        headers.add("content-type", "application/json")
        return answer(route, HTTPResponse(status: 200, headers: headers, body: writer.bytes))
    }

    // MARK: Helpers

    /// The data's age in whole seconds (the time since the origin last confirmed it: any
    /// frame, heartbeats included) and whether that is past the configured staleness.
    private func freshness(edge: EdgeState.Snapshot, now: Int64) -> (Int64, Bool) {
        freshness(lastHeardMicros: edge.lastHeardMicros, now: now)
    }

    private func freshness(lastHeardMicros: Int64, now: Int64) -> (Int64, Bool) {
        guard lastHeardMicros > 0 else { return (0, true) }
        let ageMicros = max(0, now - lastHeardMicros)
        return (ageMicros / 1_000_000, ageMicros > staleAfterMicros)
    }

    /// `Cache-Control`, `Age`, and `x-odds-stale: true` when the origin has not been heard
    /// from within the configured time. (The origin's publish time of each version is in the
    /// document itself, as `publishedAt`: a header new in nearly every answer would cost
    /// header compression on both sides of every read.)
    private func freshnessHeaders(ageSeconds: Int64, stale: Bool) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add("cache-control", cacheControl)
        headers.add("age", String(ageSeconds))
        if stale {
            headers.add("x-odds-stale", "true")
        }
        return headers
    }

    private func freshnessHeaders(edge: EdgeState.Snapshot, now: Int64) -> HTTPHeaders {
        let (ageSeconds, stale) = freshness(edge: edge, now: now)
        return freshnessHeaders(ageSeconds: ageSeconds, stale: stale)
    }

    private func answer(_ route: RouteCounters.Route, _ response: HTTPResponse) -> HTTPResponse {
        route.record(status: response.status)
        return response
    }

    static func etag(epoch: UInt64, version: UInt64) -> String {
        "\"\(String(epoch >> 32, radix: 16))-\(version)\""
    }

    /// `If-None-Match` holds `*`, the tag, or a list with it (weak comparison).
    static func matches(_ header: String, _ etag: String) -> Bool {
        if header == etag || header == "*" { return true }
        let bare = etag.hasPrefix("W/") ? String(etag.dropFirst(2)) : etag
        return header.split(separator: ",").contains { candidate in
            var tag = candidate.trimmingCharacters(in: .whitespaces)
            if tag.hasPrefix("W/") { tag = String(tag.dropFirst(2)) }
            return tag == bare
        }
    }
}
