import Identity
import JSON
import OddsModel
import Service
import Telemetry
import Transport

/// The edge's bets API: it checks the customer's token and the bet's shape, then forwards the
/// bet to the origin, which alone decides it, and passes the origin's answer back as it came.
///
/// - `POST /v1/bets`: the bet, with an `Idempotency-Key` header.
/// - `GET /v1/bets/{id}`: one of the customer's bets.
/// - `GET /v1/accounts/me/bets`: the customer's latest bets, newest first.
///
/// The edge never decides a bet. When the origin cannot be reached it answers 503 with
/// `Retry-After`; a retry under the same key can never place the bet twice.
struct BetForwarder: Sendable {
    let clients: HTTP2ClientPool
    let upstreamToken: String
    let verifier: TokenVerifier
    let state: EdgeState
    let metrics: EdgeMetrics
    let logger: Logger
    let timeout: Duration64
    /// Bets are refused while the edge's data is older than this: the customer's price may
    /// be one the origin has moved on from, and the edge cannot tell.
    let staleAfterMicros: Int64
    /// With a `feedToken`: edges below this one send their customers' bets up with it and
    /// the account in `x-odds-account` (they checked the customer's token), as this edge
    /// sends them to its own upstream.
    let relayToken: BearerToken?

    /// Answers from the origin slower than this get a warning line (at most one a second).
    static let slowForwardNanoseconds: UInt64 = 50_000_000
    let slowForwards = LogThrottle()

    static let maxBodyBytes = 4096

    func add(to router: inout Router) {
        let forwarder = self
        router.add(.post, "/v1/bets") { request, responder in
            forwarder.place(request, responder)
        }
        router.add(.get, "/v1/bets/:id") { request, responder in
            guard let account = forwarder.account(request, responder) else { return }
            let id = request.parameter("id") ?? ""
            guard Bet.number(fromID: id) != nil else {
                responder.respond(.problem(
                    status: 404, title: "Not found", detail: "no bet \(id) on this account"))
                return
            }
            forwarder.forward(
                .get, "/v1/bets/\(id)", account: account, request: request, responder)
        }
        router.add(.get, "/v1/accounts/:id/bets") { request, responder in
            guard let account = forwarder.account(request, responder) else { return }
            let named = request.parameter("id") ?? ""
            // Customers ask for their own (`me`); an edge below names the account it relays.
            guard named == "me" || named == account else {
                responder.respond(.problem(
                    status: 404, title: "Not found", detail: "no such account here"))
                return
            }
            forwarder.forward(
                .get, "/v1/accounts/\(account)/bets", account: account, request: request,
                responder)
        }
    }

    private func place(_ request: HTTPRequest, _ responder: Responder) {
        guard let account = account(request, responder) else { return }
        guard let key = request.headers["idempotency-key"],
            BetRequest.isValidIdempotencyKey(key)
        else {
            refuse(responder, "Idempotency-Key: 1 to \(BetRequest.maxIdempotencyKeyBytes) "
                + "printable characters expected; send the same key with every retry")
            return
        }
        guard request.body.count <= Self.maxBodyBytes else {
            refuse(responder, "the body is larger than \(Self.maxBodyBytes) bytes")
            return
        }
        // Checked here, so that a malformed bet never reaches the origin; forwarded as the
        // customer sent it (the strict parser took it whole, unknown keys refused), not
        // written out again.
        do {
            _ = try BetRequest(json: request.body)
        } catch {
            refuse(responder, error.message)
            return
        }
        guard state.snapshot.connected else {
            metrics.betsUnavailable.increment()
            responder.respond(Self.unavailable(
                "the origin cannot be reached from this edge; nothing was placed"))
            return
        }
        let freshness = state.freshness(staleAfterMicros: staleAfterMicros)
        guard !freshness.isStale else {
            metrics.betsUnavailable.increment()
            responder.respond(Self.unavailable(
                "this edge has not heard from the origin for \(freshness.ageMilliseconds) ms, "
                    + "so its prices may be out of date; nothing was placed"))
            return
        }
        forward(
            .post, "/v1/bets", account: account, request: request, body: request.body,
            extraHeaders: ["idempotency-key": key], responder)
    }

    /// The account the request's customer token names (or, from an edge below, the account
    /// it relays for), or nil after answering 401.
    private func account(_ request: HTTPRequest, _ responder: Responder) -> String? {
        if let relayToken, relayToken.admits(request.headers) {
            guard let relayed = request.headers["x-odds-account"], Identifier.isValid(relayed)
            else {
                unauthorized(responder, "a relayed bet names its account in x-odds-account")
                return nil
            }
            return relayed
        }
        guard let authorization = request.headers["authorization"],
            authorization.hasPrefix("Bearer ")
        else {
            unauthorized(responder, "a customer token is required: Authorization: Bearer TOKEN")
            return nil
        }
        let token = authorization.dropFirst("Bearer ".count)
        switch verifier.verify(token, nowSeconds: WallClock.micros() / 1_000_000) {
        case .success(let claims):
            guard Identifier.isValid(claims.accountID) else {
                unauthorized(responder, "the token names no valid account")
                return nil
            }
            return claims.accountID
        case .failure(let error):
            logger.debug("bets.token_refused", ["reason": .string(error.reason.rawValue)])
            unauthorized(responder, error.message)
            return nil
        }
    }

    private func forward(
        _ method: HTTPMethod, _ path: String, account: String, request: HTTPRequest,
        body: [UInt8] = [], extraHeaders: [String: String] = [:], _ responder: Responder
    ) {
        let traceParent = request.headers["traceparent"] ?? TraceParent.make()
        var headers: HTTPHeaders = [
            "authorization": "Bearer \(upstreamToken)",
            "x-odds-account": account,
            "traceparent": traceParent,
        ]
        if !body.isEmpty {
            headers.add("content-type", "application/json")
        }
        for (name, value) in extraHeaders {
            headers.add(name, value)
        }
        let started = MonotonicClock.now()
        let metrics = self.metrics
        let logger = self.logger
        let slowForwards = self.slowForwards
        let collected = ForwardedAnswer()
        clients.execute(
            HTTPClientRequest(
                method: method, path: path, headers: headers, body: body, timeout: timeout),
            handlers: HTTPClientStreamHandlers(
                onHead: { status, headers in
                    collected.value.status = status
                    collected.value.headers = headers
                },
                onData: { bytes in
                    collected.value.body.append(contentsOf: bytes)
                },
                onEnd: { result in
                    let ended = MonotonicClock.now()
                    metrics.betForwardLatency.observe(nanoseconds: ended - started)
                    if ended - started > Self.slowForwardNanoseconds {
                        metrics.slowForwards.increment()
                        if let count = slowForwards.occurrence(at: ended) {
                            logger.warning("bets.slow_forward", [
                                "forward_ms": .double(Double((ended - started) / 1_000) / 1e3),
                                "path": .string(path), "status": LogValue(collected.value.status),
                                "traceparent": .string(traceParent),
                                "slow_forwards": LogValue(count),
                            ])
                        }
                    }
                    switch result {
                    case .success:
                        metrics.betsForwarded.increment()
                        responder.respond(Self.passed(collected.value))
                    case .failure(let error):
                        metrics.betsUnavailable.increment()
                        logger.warning("bets.forward_failed", [
                            "error": .string("\(error)"), "path": .string(path),
                        ])
                        responder.respond(Self.unavailable(
                            "the origin did not answer (\(error)); retry with the same "
                                + "Idempotency-Key, which never places a bet twice"))
                    }
                }))
    }

    /// The origin's answer as the customer gets it.
    private static func passed(
        _ answer: (status: Int, headers: HTTPHeaders, body: [UInt8])
    ) -> HTTPResponse {
        var headers: HTTPHeaders = [
            "content-type": answer.headers["content-type"] ?? "application/json",
            "cache-control": "no-store",
        ]
        for name in ["idempotent-replayed", "retry-after"] {
            if let value = answer.headers[name] {
                headers.add(name, value)
            }
        }
        return HTTPResponse(status: answer.status, headers: headers, body: answer.body)
    }

    private func refuse(_ responder: Responder, _ detail: String) {
        metrics.betsRefused.increment()
        let reason = BetRejectionReason.invalidRequest
        responder.respond(HTTPResponse(
            status: reason.httpStatus, headers: ["content-type": "application/problem+json"],
            body: reason.problemJSON(detail: detail)))
    }

    private func unauthorized(_ responder: Responder, _ detail: String) {
        metrics.betsRefused.increment()
        var response = HTTPResponse.problem(status: 401, title: "Unauthorized", detail: detail)
        response.headers.add("www-authenticate", "Bearer")
        responder.respond(response)
    }

    static func unavailable(_ detail: String) -> HTTPResponse {
        var response = HTTPResponse.problem(status: 503, title: "Unavailable", detail: detail)
        response.headers.add("retry-after", "1")
        return response
    }
}

/// W3C trace context for a bet that arrives without one: `00-TRACE-SPAN-01`, 32 and 16 hex
/// digits. The ids come from a fast generator per thread, seeded from the system's random
/// source once: they must not repeat, not be secret, and asking the kernel for randomness
/// three times a bet cost more than the rest of making the header.
enum TraceParent {
    static func make() -> String {
        let generator = generators.value
        let (high, low, span) = (generator.next(), generator.next(), generator.next())
        return String(unsafeUninitializedCapacity: 55) { text in
            text[0] = UInt8(ascii: "0")
            text[1] = UInt8(ascii: "0")
            text[2] = UInt8(ascii: "-")
            // All-zero ids are invalid: the top bits are forced on.
            writeHex(high | 1 << 63, into: text, at: 3)
            writeHex(low, into: text, at: 19)
            text[35] = UInt8(ascii: "-")
            writeHex(span | 1 << 63, into: text, at: 36)
            text[52] = UInt8(ascii: "-")
            text[53] = UInt8(ascii: "0")
            text[54] = UInt8(ascii: "1")
            return 55
        }
    }

    private static func writeHex(
        _ value: UInt64, into text: UnsafeMutableBufferPointer<UInt8>, at offset: Int
    ) {
        FeedPosition.writeHex(
            value, into: UnsafeMutableBufferPointer(rebasing: text[offset..<(offset + 16)]))
    }

    private static let generators = ThreadLocalCache { TraceIDGenerator() }
}

/// SplitMix64, seeded from the system's random source: one thread's trace ids.
final class TraceIDGenerator {
    private var state: UInt64

    init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// The origin's answer as it streams in. `@unchecked Sendable`: written and read only on the
/// upstream client's loop thread, in the handlers of one request.
private final class ForwardedAnswer: @unchecked Sendable {
    var value = (status: 0, headers: HTTPHeaders(), body: [UInt8]())
}
