import JSON
import Service

/// Runs one action against the origin and says what to print: the origin's JSON as received
/// with `--json`, otherwise a table, a listing or a confirmation line.
struct ControlSession {
    let options: ControlOptions
    let client: AdminClient

    /// Carries out `action`.
    ///
    /// - Returns: the bytes for standard output, newline-terminated.
    /// - Throws: `ControlFailure` for a refusal, a failed request, an unexpected answer,
    ///   or a batch file that cannot be read or has a bad line (nothing is sent then).
    func perform(_ action: ControlAction) throws(ControlFailure) -> [UInt8] {
        switch AdminRequest.plan(for: action) {
        case .single(let request):
            let answer = try client.send(request)
            if action == .checkLedger {
                let document = try answer.document(from: options.origin)
                if document[member: "ok"]?.boolValue != true {
                    // The report goes to stderr and the status says the books do not balance.
                    throw ControlFailure(
                        exitStatus: ControlFailure.refusedStatus,
                        lines: AnswerText.ledgerCheck(document).split(separator: "\n")
                            .map(String.init),
                        hint: nil)
                }
            }
            if options.json {
                return Self.terminated(answer.body)
            }
            let document = try answer.document(from: options.origin)
            return Array(try text(for: action, document, sequence: answer.sequence).utf8)
        case .prices(let items):
            return try sendPrices(items)
        case .pricesFromFile(let path):
            let items: [PriceItem]
            do {
                items = try PriceBatchFile.parse(text: try TextInput.read(path))
            } catch {
                throw .usage(UsageError("\(TextInput.displayName(path)): \(error.message)"))
            }
            return try sendPrices(items)
        }
    }

    /// Sends `items` in order, in as few requests as the origin's batch limit allows, and
    /// stops at the first failure, saying how much was applied before it.
    private func sendPrices(_ items: [PriceItem]) throws(ControlFailure) -> [UInt8] {
        var sent = 0
        var requests = 0
        var marketsChanged = 0
        var last: (answer: AdminAnswer, document: JSONValue)?
        while sent < items.count {
            let end = min(sent + AdminRequest.maxPricesPerRequest, items.count)
            let answer: AdminAnswer
            do {
                answer = try client.send(.prices(items[sent..<end]))
            } catch {
                throw Self.annotated(error, sent: sent, of: items.count, after: last?.document)
            }
            let document = try answer.document(from: options.origin)
            marketsChanged += Int(document[member: "marketsChanged"]?.int64Value ?? 0)
            last = (answer, document)
            requests += 1
            sent = end
        }
        guard let last else { return [] }
        if options.json {
            return Self.terminated(last.answer.body)
        }
        return Array(AnswerText.prices(
            items: items.count, requests: requests, marketsChanged: marketsChanged,
            last: last.document).utf8)
    }

    /// The text for the answer to a single-request action.
    private func text(
        for action: ControlAction, _ document: JSONValue, sequence: String?
    ) throws(ControlFailure) -> String {
        switch action {
        case .status:
            return AnswerText.status(document)
        case .listEvents:
            return AnswerText.eventTable(try list(document))
        case .showEvent:
            return AnswerText.event(document)
        case .putEvent(let id, _):
            return AnswerText.confirmation("event", id: id, "saved", document, sequence: sequence)
        case .updateEvent(let id, _):
            return AnswerText.confirmation(
                "event", id: id, "updated", document, sequence: sequence)
        case .listMarkets:
            return AnswerText.marketTable(try list(document))
        case .showMarket:
            return AnswerText.market(document)
        case .putMarket(let id, _):
            return AnswerText.confirmation(
                "market", id: id, "saved", document, sequence: sequence)
        case .updateMarket(let id, _):
            return AnswerText.confirmation(
                "market", id: id, "updated", document, sequence: sequence)
        case .changeMarketStatus(let id, let change):
            return AnswerText.confirmation(
                "market", id: id, change.pastTense, document, sequence: sequence)
        case .listEdges:
            return AnswerText.edgeTable(try list(document))
        case .setPrices, .setPricesFromFile:
            return AnswerText.prices(items: 0, requests: 1, marketsChanged: 0, last: document)
        case .createAccount, .setAccountLimits, .transfer:
            return AnswerText.account(document[member: "account"] ?? .null)
                + AnswerText.entry(document[member: "entry"])
        case .showAccount:
            return AnswerText.account(document)
        case .showLedger:
            return AnswerText.ledgerTable(try list(document))
        case .listAccountBets:
            return AnswerText.betTable(try list(document))
        case .issueToken:
            return AnswerText.token(document)
        case .showBet:
            return AnswerText.bet(document)
        case .settleMarket(let id, _, _, let resettle):
            return AnswerText.settlement(
                id: id, resettled: resettle, document)
        case .voidBet(let id):
            return AnswerText.settlement(id: id, resettled: false, document, bet: true)
        case .checkLedger:
            return AnswerText.ledgerCheck(document)
        }
    }

    private func list(_ document: JSONValue) throws(ControlFailure) -> [JSONValue] {
        guard let elements = document.arrayValue else {
            throw .badAnswer(options.origin, "expected a JSON array")
        }
        return elements
    }

    /// `failure` with a line on how much of a split batch the origin had applied before it,
    /// and which items the failed request held (item numbers count from 1, so its
    /// `prices[0]` is item `sent + 1`).
    private static func annotated(
        _ failure: ControlFailure, sent: Int, of total: Int, after document: JSONValue?
    ) -> ControlFailure {
        guard sent > 0, let document else { return failure }
        let held = "items \(sent + 1) to \(min(sent + AdminRequest.maxPricesPerRequest, total))"
        let fate = failure.exitStatus == ControlFailure.refusedStatus
            ? "\(held) went in the refused request (its prices[0] is item \(sent + 1))"
            : "whether \(held) were applied is unknown"
        var annotated = failure
        annotated.lines.append(
            "items 1 to \(sent) of \(total) were applied, up to sequence "
                + "\(document[display: "sequence"]); \(fate); later items were not sent")
        return annotated
    }

    /// `body` with a final newline.
    private static func terminated(_ body: [UInt8]) -> [UInt8] {
        body.last == UInt8(ascii: "\n") ? body : body + [UInt8(ascii: "\n")]
    }
}
