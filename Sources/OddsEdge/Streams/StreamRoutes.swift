import OddsModel
import Transport

/// `GET /v1/stream`: live odds as Server-Sent Events, over HTTP/2 and HTTP/1.1.
///
/// `?markets=a,b&events=e&sport=s` picks what to follow (nothing picks everything). A new
/// client gets a `snapshot` event, then a `market` or `event` event for each change, each
/// with an id naming the epoch and sequence number. A client that comes back with
/// `Last-Event-ID` (or `?lastEventId=`) gets exactly the changes it missed, or, when the
/// edge no longer has them, a `reset` event and a fresh snapshot. `conflated` says a slow
/// client was sent the latest state instead of every move; `stale` and `fresh` say when the
/// origin went quiet and came back. A full edge answers 200 with a long `retry:` and ends
/// the stream: browsers give up for good on 204, 404, 410 and 503.
enum StreamRoutes {
    static func add(to router: inout Router, hub: StreamHub) {
        router.add(.get, "/v1/stream") { request, responder in
            open(request, responder, hub)
        }
    }

    static let headers: HTTPHeaders = [
        "content-type": ServerSentEvent.contentType,
        "cache-control": "no-store",
        "x-accel-buffering": "no",
    ]

    private static func open(_ request: HTTPRequest, _ responder: Responder, _ hub: StreamHub) {
        let filter: StreamFilter
        switch StreamFilter.parse(request) {
        case .success(let parsed): filter = parsed
        case .failure(let refusal):
            responder.respond(.problem(
                status: 400, title: "Invalid stream request", detail: refusal.message))
            return
        }
        guard let loop = EventLoop.current else {
            responder.respond(.problem(status: 500, title: "Not on an event loop"))
            return
        }
        guard hub.admit() else {
            hub.metrics.shed.increment()
            let stream = responder.startStream(headers: headers)
            // Spread the returns, so a crowd turned away does not come back all at once.
            stream.write(ServerSentEvent.retry(milliseconds: Int.random(in: 5_000...15_000)))
            stream.write(ServerSentEvent.comment("this edge is full; retrying later"))
            stream.finish()
            return
        }
        hub.metrics.opened.increment()
        let stream = responder.startStream(
            headers: headers, highWaterBytes: hub.settings.bufferBytes)
        stream.write(ServerSentEvent.retry(milliseconds: hub.settings.retryMilliseconds))
        let streams = hub.streams(on: loop)
        let lastEventID = request.headers["last-event-id"] ?? request.queryParameter("lastEventId")
        let seen = lastEventID.flatMap { StreamEventID.parse($0) }
        let resumable = seen.map { hub.history.covers($0) } ?? false
        let subscriber = StreamSubscriber(
            stream: stream, filter: filter, after: resumable ? seen!.sequence : 0,
            metrics: hub.metrics)
        // Registered first: the hub wakes only loops with clients, and what commits from
        // now on must reach this one (its snapshot or replay covers what came before).
        streams.add(subscriber)
        let gone = "the changes after that event id are no longer kept here; this snapshot "
            + "replaces them"
        if let seen, resumable {
            hub.metrics.resumes.increment()
            if !subscriber.replay(from: hub.history, epoch: seen.epoch) {
                hub.resynchronise(subscriber, reason: gone)
            }
        } else if lastEventID != nil {
            hub.resynchronise(subscriber, reason: gone)
        } else {
            hub.sendSnapshot(subscriber)
        }
        if streams.isStale {
            subscriber.notify(LoopStreams.freshnessNotice(hub.freshnessNow))
        }
        stream.onWritable {
            if !subscriber.drain() {
                hub.resynchronise(subscriber, reason: "this client fell behind the changes "
                    + "kept here; this snapshot replaces them")
            }
        }
        stream.onClose {
            streams.remove(subscriber)
            hub.release()
        }
    }
}
