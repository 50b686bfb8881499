import JSON
import OddsModel
import Service
import Transport

/// The bets API on the feed listener, for edges only (behind the feed token): an edge has
/// verified the customer's token and names the account in `x-odds-account`.
///
/// - `POST /v1/bets`: the bet, with `Idempotency-Key`; answered once it is on disk.
/// - `GET /v1/bets/{id}`: one of the account's bets.
/// - `GET /v1/accounts/{id}/bets`: the account's latest bets, newest first.
enum BetRoutes {
    static let accountHeader = "x-odds-account"
    static let maxListedBets = 200

    static func add(to router: inout Router, sequencer: Sequencer, store: OriginStore,
                    token: BearerToken)
    {
        router.add(.post, "/v1/bets") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            let submission: BetSubmission
            switch submissionOf(request) {
            case .success(let made): submission = made
            case .failure(let rejection):
                responder.respond(response(.rejected(rejection)))
                return
            }
            sequencer.submit(.bet(submission) { answer in
                responder.respond(response(answer))
            })
        }
        router.add(.get, "/v1/bets/:id") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            let account = request.headers[accountHeader] ?? ""
            let id = request.parameter("id") ?? ""
            let bet = Bet.number(fromID: id).flatMap { number in
                try? store.environment.read { try store.money.bet(number, $0) }
            }
            guard let bet, bet.accountID == account else {
                responder.respond(.problem(
                    status: 404, title: "Not found", detail: "no bet \(id) on this account"))
                return
            }
            responder.respond(.json { bet.writeJSON(to: &$0) })
        }
        router.add(.get, "/v1/accounts/:id/bets") { request, responder in
            guard token.admits(request.headers) else {
                responder.respond(BearerToken.refusal)
                return
            }
            let id = String(request.parameter("id") ?? "")
            do {
                let bets = try store.environment.read {
                    try store.money.bets(ofAccount: id, limit: maxListedBets, $0)
                }
                responder.respond(.json { writer in
                    writer.beginArray()
                    for bet in bets {
                        bet.writeJSON(to: &writer)
                    }
                    writer.endArray()
                })
            } catch {
                responder.respond(.problem(
                    status: 503, title: "Unavailable", detail: "the store could not be read"))
            }
        }
    }

    static func response(_ answer: BetAnswer) -> HTTPResponse {
        var headers: HTTPHeaders = [
            "content-type": answer.isProblem ? "application/problem+json" : "application/json",
        ]
        if answer.replayed {
            headers.add("idempotent-replayed", "true")
        }
        if answer.status == 429 || answer.status == 503 {
            headers.add("retry-after", "1")
        }
        return HTTPResponse(status: answer.status, headers: headers, body: answer.body)
    }

    /// The bet in the request, checked for shape; a refusal names what is wrong.
    private static func submissionOf(_ request: HTTPRequest)
        -> Result<BetSubmission, BetRejection>
    {
        guard let account = request.headers[accountHeader], Identifier.isValid(account) else {
            return .failure(BetRejection(.invalidRequest, "\(accountHeader): missing or invalid"))
        }
        guard let key = request.headers["idempotency-key"],
            BetRequest.isValidIdempotencyKey(key)
        else {
            return .failure(BetRejection(
                .invalidRequest,
                "Idempotency-Key: 1 to \(BetRequest.maxIdempotencyKeyBytes) printable "
                    + "characters expected"))
        }
        do {
            let bet = try BetRequest(json: request.body)
            return .success(BetSubmission(
                accountID: account, idempotencyKey: key, request: bet, body: request.body,
                traceID: TraceContext.traceID(ofTraceParent: request.headers["traceparent"])))
        } catch {
            return .failure(BetRejection(.invalidRequest, error.message))
        }
    }
}
