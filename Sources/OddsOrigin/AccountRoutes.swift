import Identity
import JSON
import OddsModel
import Service
import Store
import Transport

/// The admin API's accounts: create, deposit, withdraw, limits, and reads of accounts,
/// ledgers and bets. Mounted by `AdminRoutes` behind the admin token.
enum AccountRoutes {
    static let maxLedgerEntries = 1000

    /// Adds the routes through `guarded`, which mounts a handler behind the admin token.
    static func add(
        sequencer: Sequencer, store: OriginStore, signing: (id: String, key: SigningKey)?,
        maxTokenTTLSeconds: Int, guarded: (HTTPMethod, String, @escaping HTTPHandler) -> Void
    ) {
        func command(
            _ method: HTTPMethod, _ pattern: String, status: Int = 200,
            decode: @escaping @Sendable (HTTPRequest) throws(AdminRejection) -> AccountCommand
        ) {
            guarded(method, pattern) { request, responder in
                let command: AccountCommand
                do throws(AdminRejection) {
                    command = try decode(request)
                } catch {
                    responder.respond(AdminRoutes.problem(error))
                    return
                }
                sequencer.submit(.account(command) { result in
                    switch result {
                    case .success(let outcome):
                        responder.respond(.json(status: status) { writer in
                            writer.beginObject()
                            writer.key("account")
                            outcome.account.writeJSON(to: &writer)
                            if let entry = outcome.entry {
                                writer.key("entry")
                                entry.writeJSON(to: &writer)
                            }
                            writer.endObject()
                        })
                    case .failure(let rejection):
                        responder.respond(AdminRoutes.problem(rejection))
                    }
                })
            }
        }

        command(.post, "/v1/admin/accounts", status: 201) { request throws(AdminRejection) in
            try AccountRequestDecoding.create(body: request.body)
        }
        command(.patch, "/v1/admin/accounts/:id/limits") { request throws(AdminRejection) in
            try AccountRequestDecoding.limits(id: id(request), body: request.body)
        }
        for (action, kind) in [("deposit", LedgerEntry.Kind.deposit), ("withdraw", .withdrawal)] {
            command(.post, "/v1/admin/accounts/:id/\(action)") { request throws(AdminRejection) in
                try AccountRequestDecoding.transfer(id: id(request), kind, body: request.body)
            }
        }

        guarded(.post, "/v1/admin/tokens") { request, responder in
            guard let signing else {
                responder.respond(AdminRoutes.problem(.conflict(
                    "no tokenSigningKey is configured, so no tokens can be issued")))
                return
            }
            let asked: (account: String, ttl: Int64)
            do throws(AdminRejection) {
                asked = try AccountRequestDecoding.token(
                    body: request.body, maxTTLSeconds: Int64(maxTokenTTLSeconds))
            } catch {
                responder.respond(AdminRoutes.problem(error))
                return
            }
            read(store, responder) { txn in
                guard try store.money.account(asked.account, txn) != nil else {
                    return AdminRoutes.problem(
                        .notFound("account \(asked.account) does not exist"))
                }
                let now = WallClock.micros() / 1_000_000
                let claims = TokenClaims(
                    keyID: signing.id, accountID: asked.account, issuedAtSeconds: now,
                    expiresAtSeconds: now + asked.ttl)
                let token = CustomerToken.issue(claims, key: signing.key)
                return .json(status: 201) { writer in
                    writer.beginObject()
                    writer.key("token")
                    writer.string(token)
                    writer.key("account")
                    writer.string(asked.account)
                    writer.key("keyId")
                    writer.string(signing.id)
                    writer.key("expiresAt")
                    writer.string(Timestamp.iso8601(milliseconds: claims.expiresAtSeconds * 1000))
                    writer.endObject()
                }
            }
        }
        guarded(.get, "/v1/admin/accounts/:id") { request, responder in
            let id = id(request)
            read(store, responder) { txn in
                guard let account = try store.money.account(id, txn) else {
                    return AdminRoutes.problem(.notFound("account \(id) does not exist"))
                }
                return .json { account.writeJSON(to: &$0) }
            }
        }
        guarded(.get, "/v1/admin/accounts/:id/ledger") { request, responder in
            let id = id(request)
            let from = request.queryParameter("from").flatMap { UInt64($0) } ?? 1
            let limit = request.queryParameter("limit").flatMap { Int($0) }
                .map { min(max($0, 1), maxLedgerEntries) } ?? maxLedgerEntries
            read(store, responder) { txn in
                guard try store.money.account(id, txn) != nil else {
                    return AdminRoutes.problem(.notFound("account \(id) does not exist"))
                }
                let entries = try store.money.ledger(ofAccount: id, from: from, limit: limit, txn)
                return .json { writer in
                    writer.beginArray()
                    for entry in entries {
                        entry.writeJSON(to: &writer)
                    }
                    writer.endArray()
                }
            }
        }
        guarded(.get, "/v1/admin/accounts/:id/bets") { request, responder in
            let id = id(request)
            read(store, responder) { txn in
                let bets = try store.money.bets(
                    ofAccount: id, limit: BetRoutes.maxListedBets, txn)
                return .json { writer in
                    writer.beginArray()
                    for bet in bets {
                        bet.writeJSON(to: &writer)
                    }
                    writer.endArray()
                }
            }
        }
        guarded(.get, "/v1/admin/bets/:id") { request, responder in
            let id = id(request)
            read(store, responder) { txn in
                guard let number = Bet.number(fromID: id),
                    let bet = try store.money.bet(number, txn)
                else {
                    return AdminRoutes.problem(.notFound("bet \(id) does not exist"))
                }
                return .json { bet.writeJSON(to: &$0) }
            }
        }
    }

    /// Answers from one read transaction of the store.
    private static func read(
        _ store: OriginStore, _ responder: Responder,
        _ body: (borrowing ReadTransaction) throws -> HTTPResponse
    ) {
        do {
            responder.respond(try store.environment.read { try body($0) })
        } catch {
            responder.respond(AdminRoutes.problem(AdminRejection(
                kind: .unavailable, message: "the store could not be read: \(error)")))
        }
    }

    private static func id(_ request: HTTPRequest) -> String {
        String(request.parameter("id") ?? "")
    }
}
