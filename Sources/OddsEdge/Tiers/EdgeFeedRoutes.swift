import JSON
import OddsModel
import Service
import Telemetry
import Transport

/// What an edge serves to the edges below it, behind its `feedToken`: the feed
/// (`POST /v1/feed`, as the origin serves it), and the digests and markets their integrity
/// checks ask for. Bets from below are relayed by `BetForwarder`.
enum EdgeFeedRoutes {
    static func add(
        to router: inout Router, token: BearerToken, hub: StreamHub, store: EdgeStore,
        children: ChildEdges, logger: Logger
    ) {
        router.addStreaming(.post, "/v1/feed") { request, body, responder in
            guard let asked = FeedRequest.admitted(request, token: token, responder) else {
                return
            }
            guard let loop = EventLoop.current else {
                responder.respond(.problem(status: 500, title: "Not on an event loop"))
                return
            }
            let stream = responder.startStream(
                headers: ["content-type": FeedRequest.contentType], highWaterBytes: 1 << 20)
            children.connected(id: asked.edgeID, address: asked.address, position: asked.after)
            logger.info("feed.subscribed", [
                "edge.id": .string(asked.edgeID), "after": .string("\(asked.after)"),
            ])
            FeedAcknowledgements.read(body, edgeID: asked.edgeID, logger: logger) { ack in
                children.acknowledged(id: asked.edgeID, FeedAcknowledgementView(
                    position: ack.position, integrity: ack.integrity,
                    downstream: ack.downstream))
            }
            let feed = EdgeFeedSubscriber(
                edgeID: asked.edgeID, stream: stream, hub: hub, store: store)
            let streams = hub.streams(on: loop)
            streams.addFeed(feed)
            feed.start(after: asked.after)
            stream.onWritable { feed.drained() }
            stream.onClose {
                streams.removeFeed(feed)
                children.disconnected(id: asked.edgeID)
                logger.info("feed.closed", ["edge.id": .string(asked.edgeID)])
            }
        }
        router.add(.get, "/v1/digest/markets") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            guard let (position, markets) = try? store.marketDigests() else {
                responder.respond(.problem(status: 503, title: "The store could not be read"))
                return
            }
            responder.respond(.json(MarketDigest.listJSON(
                position: position, count: markets.count
            ) { add in
                for (id, (version, hash)) in markets {
                    add(id, version, hash)
                }
            }))
        }
        router.add(.get, "/v1/feed/markets") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            let ids = (request.queryParameter("ids") ?? "").split(separator: ",")
            guard !ids.isEmpty, ids.count <= 10_000 else {
                responder.respond(.problem(
                    status: 400, title: "Invalid request", detail: "ids: 1 to 10000 market ids"))
                return
            }
            var markets: [[UInt8]] = []
            do {
                try store.environment.read { txn in
                    for id in ids {
                        try txn.withValue(store.markets, Array(id.utf8)) { record in
                            if let header = EdgeRecord.header(record) {
                                markets.append(Array(EdgeRecord.wire(record, header)))
                            }
                        }
                    }
                }
            } catch {
                responder.respond(.problem(status: 503, title: "The store could not be read"))
                return
            }
            responder.respond(HTTPResponse(
                status: 200, headers: ["content-type": FeedRequest.contentType],
                body: FeedFrame.snapshotPartFrame(encodedEvents: [], encodedMarkets: markets)))
        }
    }
}
