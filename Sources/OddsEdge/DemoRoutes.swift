import Telemetry
import Transport

/// The routes of demo mode: the market index, each market, health and metrics.
public enum DemoRoutes {
    public static func router(card: DemoCard, metrics: MetricsRegistry) -> Router {
        var router = Router()
        let index = json(card.index)
        // Responses are made once, in id order: a read costs parsing the id's number and an
        // array index, not a hash of a string.
        let responses = card.ids.map { json(card.markets[$0]!.document) }
        router.add(.get, "/v1/markets") { _, responder in
            responder.respond(index)
        }
        router.add(.get, "/v1/markets/:id") { request, responder in
            guard let number = request.withParameter("id", DemoCard.number(ofID:)) ?? nil,
                responses.indices.contains(number)
            else {
                responder.respond(.problem(
                    status: 404, title: "Unknown market",
                    detail: "no market \(request.parameter("id") ?? "")"))
                return
            }
            responder.respond(responses[number])
        }
        router.add(.get, "/v1/demo/ticks") { request, responder in
            DemoTicker.start(request: request, responder: responder)
        }
        HealthRoutes.add(to: &router, metrics: metrics)
        return router
    }

    private static func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            headers: ["content-type": "application/json", "cache-control": "max-age=1"],
            body: body)
    }
}

/// `/healthz` and `/metrics`, shared by every program that serves HTTP.
public enum HealthRoutes {
    public static func add(to router: inout Router, metrics: MetricsRegistry) {
        router.add(.get, "/healthz") { _, responder in
            responder.respond(HTTPResponse(
                status: 200, contentType: "application/json", text: "{\"status\":\"ok\"}"))
        }
        router.add(.get, "/metrics") { _, responder in
            responder.respond(HTTPResponse(
                status: 200, contentType: MetricsRegistry.contentType, text: metrics.render()))
        }
    }
}
