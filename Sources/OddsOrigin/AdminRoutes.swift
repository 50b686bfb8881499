import JSON
import OddsModel
import Service
import Transport

/// The admin API, on its own listener, behind the admin bearer token: events, markets,
/// prices and market status in; state and edges out.
enum AdminRoutes {
    static func router(
        sequencer: Sequencer, edges: EdgeRegistry, store: OriginStore, token: BearerToken,
        configuration: OriginConfiguration
    ) -> Router {
        var router = Router()
        router.add(.get, "/healthz") { _, responder in
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "ok\n"))
        }

        func guarded(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler) {
            router.add(method, pattern) { request, responder in
                guard token.admits(request.headers) else {
                    responder.respond(BearerToken.refusal)
                    return
                }
                handler(request, responder)
            }
        }

        func command(
            _ method: HTTPMethod, _ pattern: String,
            decode: @escaping @Sendable (HTTPRequest) throws(AdminRejection) -> AdminCommand,
            answer: @escaping @Sendable (Sequencer.CommandOutcome, AdminCommand) -> HTTPResponse
        ) {
            guarded(method, pattern) { request, responder in
                let decoded: AdminCommand
                do {
                    decoded = try decode(request)
                } catch let rejection as AdminRejection {
                    responder.respond(problem(rejection))
                    return
                } catch {
                    responder.respond(problem(.invalid("\(error)")))
                    return
                }
                sequencer.submit(.command(decoded) { result in
                    switch result {
                    case .success(let outcome):
                        var response = answer(outcome, decoded)
                        response.headers.add("x-odds-sequence", "\(outcome.position.sequence)")
                        responder.respond(response)
                    case .failure(let rejection):
                        responder.respond(problem(rejection))
                    }
                })
            }
        }

        command(.put, "/v1/admin/events/:id", decode: { request throws(AdminRejection) in
            try AdminRequestDecoding.putEvent(id: id(request), body: request.body)
        }, answer: entityAnswer)
        command(.patch, "/v1/admin/events/:id", decode: { request throws(AdminRejection) in
            try AdminRequestDecoding.patchEvent(id: id(request), body: request.body)
        }, answer: entityAnswer)
        command(.put, "/v1/admin/markets/:id", decode: { request throws(AdminRejection) in
            try AdminRequestDecoding.putMarket(id: id(request), body: request.body)
        }, answer: entityAnswer)
        command(.patch, "/v1/admin/markets/:id", decode: { request throws(AdminRejection) in
            try AdminRequestDecoding.patchMarket(id: id(request), body: request.body)
        }, answer: entityAnswer)
        for (action, status) in [
            ("suspend", Market.Status.suspended), ("resume", .open), ("close", .closed),
        ] {
            command(.post, "/v1/admin/markets/:id/\(action)", decode: { request in
                .setMarketStatus(id: id(request), status)
            }, answer: entityAnswer)
        }
        command(.post, "/v1/admin/prices", decode: { request throws(AdminRejection) in
            try AdminRequestDecoding.setPrices(body: request.body)
        }, answer: { outcome, _ in
            .json { writer in
                writer.beginObject()
                writer.key("epoch")
                writer.string(FeedPosition.hex(outcome.position.epoch))
                writer.key("sequence")
                writer.uint(outcome.position.sequence)
                writer.key("marketsChanged")
                writer.int(Int64(outcome.changes.count))
                writer.endObject()
            }
        })

        AccountRoutes.add(
            sequencer: sequencer, store: store, signing: configuration.tokenSigning,
            maxTokenTTLSeconds: configuration.maxTokenTTLSeconds, guarded: guarded)
        SettlementRoutes.add(sequencer: sequencer, store: store, guarded: guarded)

        guarded(.get, "/v1/admin/status") { _, responder in
            sequencer.submit(.inspect { view in
                responder.respond(.json { writer in
                    writer.beginObject()
                    writer.key("epoch")
                    writer.string(FeedPosition.hex(view.position.epoch))
                    writer.key("sequence")
                    writer.uint(view.position.sequence)
                    writer.key("logFirstSequence")
                    writer.uint(view.logFirstSequence)
                    writer.key("events")
                    writer.int(Int64(view.book.events.count))
                    writer.key("markets")
                    writer.int(Int64(view.book.markets.count))
                    writer.key("digest")
                    writer.string(view.book.digest.description)
                    writer.endObject()
                })
            })
        }
        guarded(.get, "/v1/admin/events") { request, responder in
            let sport = request.queryParameter("sport")
            let status = request.queryParameter("status")
            sequencer.submit(.inspect { view in
                let events = view.book.events.values
                    .filter { sport == nil || $0.sport == sport }
                    .filter { status == nil || $0.status.rawValue == status }
                    .sorted {
                        ($0.startTimeMilliseconds, $0.id) < ($1.startTimeMilliseconds, $1.id)
                    }
                responder.respond(.json { writer in
                    writer.beginArray()
                    for event in events {
                        event.writeJSON(to: &writer)
                    }
                    writer.endArray()
                })
            })
        }
        guarded(.get, "/v1/admin/events/:id") { request, responder in
            let id = id(request)
            sequencer.submit(.inspect { view in
                guard let event = view.book.events[id] else {
                    responder.respond(problem(.notFound("event \(id) does not exist")))
                    return
                }
                let markets = view.book.markets.values.filter { $0.eventID == id }
                    .sorted { $0.id < $1.id }.map(\.jsonBytes)
                responder.respond(.json { event.writeJSON(to: &$0, markets: markets) })
            })
        }
        guarded(.get, "/v1/admin/markets") { request, responder in
            let event = request.queryParameter("event")
            let status = request.queryParameter("status")
            sequencer.submit(.inspect { view in
                let markets = view.book.markets.values
                    .filter { event == nil || $0.eventID == event }
                    .filter { status == nil || $0.status.rawValue == status }
                    .sorted { $0.id < $1.id }
                responder.respond(.json { writer in
                    writer.beginArray()
                    for market in markets {
                        market.writeJSON(to: &writer)
                    }
                    writer.endArray()
                })
            })
        }
        guarded(.get, "/v1/admin/markets/:id") { request, responder in
            let id = id(request)
            sequencer.submit(.inspect { view in
                guard let market = view.book.markets[id] else {
                    responder.respond(problem(.notFound("market \(id) does not exist")))
                    return
                }
                responder.respond(.json(market.jsonBytes))
            })
        }
        guarded(.get, "/v1/admin/edges") { _, responder in
            responder.respond(.json { writer in
                writer.beginArray()
                for (record, lagChanges, lagMilliseconds) in edges.list() {
                    writer.beginObject()
                    writer.key("id")
                    writer.string(record.id)
                    writer.key("address")
                    writer.string(record.address)
                    writer.key("tier")
                    writer.int(Int64(record.tier))
                    writer.key("parent")
                    writer.string(record.parent)
                    writer.key("connected")
                    writer.bool(record.connected)
                    writer.key("epoch")
                    writer.string(FeedPosition.hex(record.position.epoch))
                    writer.key("appliedSequence")
                    writer.uint(record.position.sequence)
                    writer.key("lagChanges")
                    writer.uint(lagChanges)
                    writer.key("lagMs")
                    writer.int(lagMilliseconds)
                    writer.key("connectedSince")
                    writer.string(Timestamp.iso8601(
                        milliseconds: record.connectedSinceMicros / 1000))
                    writer.key("digest")
                    writer.string(record.integrity.outcome.name)
                    if record.integrity.checkedAtMicros > 0 {
                        writer.key("digestCheckedAt")
                        writer.string(Timestamp.iso8601(
                            milliseconds: record.integrity.checkedAtMicros / 1000))
                    }
                    writer.endObject()
                }
                writer.endArray()
            })
        }
        return router
    }

    private static func id(_ request: HTTPRequest) -> String {
        String(request.parameter("id") ?? "")
    }

    /// The changed entity as JSON; the current one when the command changed nothing.
    private static func entityAnswer(
        _ outcome: Sequencer.CommandOutcome, _ command: AdminCommand
    ) -> HTTPResponse {
        for change in outcome.changes.reversed() {
            switch change.body {
            case .event(let event): return .json(event.jsonBytes)
            case .market(let market): return .json(market.jsonBytes)
            }
        }
        return .json { writer in
            writer.beginObject()
            writer.key("unchanged")
            writer.bool(true)
            writer.endObject()
        }
    }

    static func problem(_ rejection: AdminRejection) -> HTTPResponse {
        let title: String
        switch rejection.kind {
        case .invalid: title = "Invalid request"
        case .notFound: title = "Not found"
        case .conflict: title = "Conflict"
        case .unavailable: title = "Unavailable"
        }
        return .problem(status: rejection.status, title: title, detail: rejection.message)
    }
}
