import JSON
import Locks
import OddsModel
import Service
import Telemetry
import Transport

/// The feed listener: `/v1/feed` (the edges' long-lived stream), the digests the edges check
/// themselves against, the markets they repair from, probes and metrics.
enum FeedRoutes {
    static let contentType = "application/x-oddsnet-feed"

    static func router(
        sequencer: Sequencer, edges: EdgeRegistry, store: OriginStore, token: BearerToken,
        metrics: MetricsRegistry, logger: Logger
    ) -> Router {
        var router = Router()
        BetRoutes.add(to: &router, sequencer: sequencer, store: store, token: token)
        router.add(.get, "/healthz") { _, responder in
            responder.respond(HTTPResponse(status: 200, contentType: "text/plain", text: "ok\n"))
        }
        router.add(.get, "/metrics") { _, responder in
            edges.updateGauges()
            responder.respond(HTTPResponse(
                status: 200, contentType: MetricsRegistry.contentType, text: metrics.render()))
        }
        router.addStreaming(.post, "/v1/feed") { request, body, responder in
            guard let asked = FeedRequest.admitted(request, token: token, responder) else {
                return
            }
            let stream = responder.startStream(
                headers: ["content-type": contentType], highWaterBytes: 1 << 20)
            edges.connected(id: asked.edgeID, address: asked.address, position: asked.after)
            FeedAcknowledgements.read(body, edgeID: asked.edgeID, logger: logger) { ack in
                edges.acknowledged(
                    id: asked.edgeID, position: ack.position, integrity: ack.integrity,
                    downstream: ack.downstream)
            }
            stream.onClose {
                edges.disconnected(id: asked.edgeID)
                logger.info("feed.closed", ["edge.id": .string(asked.edgeID)])
            }
            sequencer.submit(.subscribe(FeedSubscriber(
                edgeID: asked.edgeID, after: asked.after, stream: stream)))
        }
        router.add(.get, "/v1/digest") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            sequencer.submit(.inspect { view in
                responder.respond(.json { writer in
                    writer.beginObject()
                    writer.key("epoch")
                    writer.string(FeedPosition.hex(view.position.epoch))
                    writer.key("sequence")
                    writer.uint(view.position.sequence)
                    writer.key("digest")
                    writer.string(view.book.digest.description)
                    writer.key("markets")
                    writer.int(Int64(view.book.digest.count))
                    writer.endObject()
                })
            })
        }
        router.add(.get, "/v1/digest/markets") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            sequencer.submit(.inspect { view in
                respondWithMarketDigests(view, responder)
            })
        }
        router.add(.get, "/v1/feed/markets") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            let ids = (request.queryParameter("ids") ?? "").split(separator: ",").map(String.init)
            guard !ids.isEmpty, ids.count <= 10_000 else {
                responder.respond(.problem(
                    status: 400, title: "Invalid request", detail: "ids: 1 to 10000 market ids"))
                return
            }
            sequencer.submit(.inspect { view in
                let markets = ids.compactMap { view.book.markets[$0] }
                responder.respond(HTTPResponse(
                    status: 200, headers: ["content-type": contentType],
                    body: FeedFrame.snapshotPart(events: [], markets: markets).encoded))
            })
        }
        return router
    }

    /// Each market's version and hash: what an edge compares its own markets with.
    private static func respondWithMarketDigests(_ view: OriginView, _ responder: Responder) {
        responder.respond(.json(MarketDigest.listJSON(
            position: view.position, count: view.book.markets.count
        ) { add in
            for (id, market) in view.book.markets {
                add(id, market.version, view.book.marketHashes[id] ?? 0)
            }
        }))
    }
}
