import Locks
import OddsModel
import Telemetry
import Transport

/// What an edge asks for when it dials the feed, of the origin or of an edge above it:
/// `POST /v1/feed?edge=ID&epoch=HEX&after=N&address=HOST:PORT`.
public struct FeedRequest: Sendable {
    public var edgeID: String
    public var after: FeedPosition
    public var address: String

    public init(_ request: HTTPRequest) throws(UsageError) {
        guard let edge = request.queryParameter("edge"), Identifier.isValid(edge) else {
            throw UsageError("edge: an id of 1 to 64 characters from A-Z a-z 0-9 . _ -")
        }
        let epochText = request.queryParameter("epoch") ?? "0"
        guard let epoch = UInt64(epochText, radix: 16) else {
            throw UsageError("epoch: 16 hex digits expected")
        }
        let afterText = request.queryParameter("after") ?? "0"
        guard let after = UInt64(afterText) else {
            throw UsageError("after: a sequence number expected")
        }
        edgeID = edge
        self.after = FeedPosition(epoch: epoch, sequence: after)
        address = String((request.queryParameter("address") ?? "").prefix(200))
    }

    /// The content type of feed streams and of the frames served beside them.
    public static let contentType = "application/x-oddsnet-feed"

    /// The feed request `request` makes, once `token` admits it; nil after answering 401
    /// or 400.
    public static func admitted(
        _ request: HTTPRequest, token: BearerToken, _ responder: Responder
    ) -> FeedRequest? {
        guard token.admits(request.headers) else {
            responder.respond(BearerToken.refusal)
            return nil
        }
        do {
            return try FeedRequest(request)
        } catch {
            responder.respond(.problem(
                status: 400, title: "Invalid feed request", detail: "\(error)"))
            return nil
        }
    }
}

/// The acknowledgements an edge sends up in the request body of its feed stream.
public enum FeedAcknowledgements {
    public struct Acknowledgement: Sendable {
        public var position: FeedPosition
        public var integrity: IntegrityReport
        public var downstream: [EdgeReport]
    }

    /// Reads acknowledgement frames from `body` as they arrive and hands each to `handle`.
    /// A frame that does not decode is logged, and the rest of the body ignored.
    public static func read(
        _ body: RequestBodyStream, edgeID: String, logger: Logger,
        _ handle: @escaping @Sendable (Acknowledgement) -> Void
    ) {
        let decoder = Lock(FeedFrameDecoder(maxFrameBytes: 1 << 20))
        body.read(onChunk: { chunk in
            decoder.withLock { decoder in
                decoder.append(chunk)
                do {
                    while let frame = try decoder.next() {
                        if case .acknowledgement(let position, let integrity, let downstream) =
                            frame
                        {
                            handle(Acknowledgement(
                                position: position, integrity: integrity,
                                downstream: downstream))
                        }
                    }
                } catch {
                    logger.warning("feed.bad_acknowledgement", [
                        "edge.id": .string(edgeID), "error": .string("\(error)"),
                    ])
                    decoder = FeedFrameDecoder(maxFrameBytes: 0)
                }
            }
        }, onEnd: { _ in })
    }
}
