import JSON
import OddsModel
import Service
import Transport

/// The admin API's settlement: settle, resettle and void markets, void single bets, and the
/// ledger check. Mounted by `AdminRoutes` behind the admin token.
enum SettlementRoutes {
    static func add(
        sequencer: Sequencer, store: OriginStore,
        guarded: (HTTPMethod, String, @escaping HTTPHandler) -> Void
    ) {
        for (action, resettling) in [("settle", false), ("resettle", true)] {
            guarded(.post, "/v1/admin/markets/:id/\(action)") { request, responder in
                let id = String(request.parameter("id") ?? "")
                let outcome: Settlement.Outcome
                do throws(AdminRejection) {
                    outcome = try decodeOutcome(request.body)
                } catch {
                    responder.respond(AdminRoutes.problem(error))
                    return
                }
                let command: SettlementCommand = resettling
                    ? .resettle(marketID: id, outcome) : .settle(marketID: id, outcome)
                submit(command, sequencer, responder)
            }
        }
        guarded(.post, "/v1/admin/bets/:id/void") { request, responder in
            submit(.voidBet(id: String(request.parameter("id") ?? "")), sequencer, responder)
        }
        guarded(.get, "/v1/admin/ledger/check") { _, responder in
            do {
                let report = try store.environment.read { try LedgerCheck.run(store.money, $0) }
                responder.respond(.json {
                    report.writeJSON(to: &$0)
                })
            } catch {
                responder.respond(AdminRoutes.problem(AdminRejection(
                    kind: .unavailable, message: "the store could not be read: \(error)")))
            }
        }
    }

    private static func submit(
        _ command: SettlementCommand, _ sequencer: Sequencer, _ responder: Responder
    ) {
        sequencer.submit(.settlement(command) { result in
            switch result {
            case .success(let outcome):
                responder.respond(.json { writer in
                    writer.beginObject()
                    writer.key("market")
                    writer.string(outcome.marketID)
                    if let settlement = outcome.settlement {
                        writer.key("result")
                        write(settlement.outcome, to: &writer)
                    }
                    writer.key("unchanged")
                    writer.bool(outcome.unchanged)
                    writer.key("bets")
                    writer.beginArray()
                    for bet in outcome.bets {
                        bet.writeJSON(to: &writer)
                    }
                    writer.endArray()
                    writer.endObject()
                })
            case .failure(let rejection):
                responder.respond(AdminRoutes.problem(rejection))
            }
        })
    }

    static func write(_ outcome: Settlement.Outcome, to writer: inout JSONWriter) {
        writer.beginObject()
        switch outcome {
        case .void:
            writer.key("void")
            writer.bool(true)
        case .winners(let winners):
            writer.key("winners")
            writer.beginArray()
            for winner in winners {
                writer.beginObject()
                writer.key("selection")
                writer.string(winner.selectionID)
                writer.key("deadHeat")
                writer.string(winner.shareText)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    /// `{"winners":[{"selection":"home","deadHeat":"1/2"}]}` or `{"void":true}`.
    static func decodeOutcome(_ body: [UInt8]) throws(AdminRejection) -> Settlement.Outcome {
        do {
            var reader = try JSONObjectReader(try JSONParser.parse(body), path: "")
            let outcome: Settlement.Outcome
            if try reader.bool("void", default: false) {
                guard !reader.contains("winners") else {
                    throw AdminRejection.invalid("give winners or void, not both")
                }
                outcome = .void
            } else {
                var winners: [Settlement.Winner] = []
                for var item in try reader.objectArray("winners") {
                    let selection = try item.string("selection")
                    let shareText = try item.string("deadHeat", default: "1/1")
                    guard let share = Settlement.Winner.share(parsing: shareText) else {
                        throw AdminRejection.invalid(
                            "\(item.path(of: "deadHeat")): expected N/D with 0 < N <= D <= "
                                + "\(Settlement.Winner.maxDenominator), like 1/2")
                    }
                    try item.finish()
                    winners.append(Settlement.Winner(
                        selectionID: selection, numerator: share.0, denominator: share.1))
                }
                outcome = .winners(winners)
            }
            try reader.finish()
            return outcome
        } catch let rejection as AdminRejection {
            throw rejection
        } catch let error as JSONError {
            throw .invalid("body is not valid JSON: \(error)")
        } catch {
            throw .invalid("\(error)")
        }
    }
}
