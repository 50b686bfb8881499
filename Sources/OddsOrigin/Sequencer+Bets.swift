import Dispatch
import JSON
import OddsModel
import Telemetry

/// A bet as the sequencer receives it from the bets route.
struct BetSubmission: Sendable {
    var accountID: String
    var idempotencyKey: String
    var request: BetRequest
    /// The middle of the bet's audit line: who asked what (`"account":…,"idempotencyKey":…,
    /// "trace":…,"request":…,`), written where the bet came in, so that the sequencer, the
    /// one thread every bet goes through, adds only the time and the outcome.
    var auditFields: [UInt8]
    /// When the bet came in on its loop thread (monotonic), for the slow-pass report.
    var receivedAtNanoseconds: UInt64

    /// `body` is the bet as the customer sent it, which the audit line holds as it is when
    /// it is on one line (the strict parser took it whole); `traceID` is the W3C trace id
    /// the edge forwarded, or empty.
    init(
        accountID: String, idempotencyKey: String, request: BetRequest, body: [UInt8],
        traceID: String
    ) {
        self.accountID = accountID
        self.idempotencyKey = idempotencyKey
        self.request = request
        receivedAtNanoseconds = DispatchTime.now().uptimeNanoseconds
        let onOneLine = !body.contains { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        let requestJSON = onOneLine ? body : request.jsonBytes
        let capacity = 64 + JSONPointerWriter.maxEscapedBytes(accountID)
            + JSONPointerWriter.maxEscapedBytes(idempotencyKey)
            + JSONPointerWriter.maxEscapedBytes(traceID) + requestJSON.count
        auditFields = JSONPointerWriter.bytes(capacity: capacity) { json in
            json.piece(#""account":""#)
            json.escaped(accountID)
            json.piece(#"","idempotencyKey":""#)
            json.escaped(idempotencyKey)
            if !traceID.isEmpty {
                json.piece(#"","trace":""#)
                json.escaped(traceID)
            }
            json.piece(#"","request":"#)
            json.raw(requestJSON)
            json.byte(UInt8(ascii: ","))
        }
    }
}

/// An operator's change to an account.
enum AccountCommand: Sendable {
    case create(id: String, AccountLimitsPatch)
    case setLimits(id: String, AccountLimitsPatch)
    /// A deposit (positive) or withdrawal (negative amount).
    case transfer(id: String, LedgerEntry.Kind, amountMinor: Int64, reference: String)
}

struct AccountOutcome: Sendable {
    var account: Account
    var entry: LedgerEntry?
}

/// A bet held for its market's bet delay, with every caller waiting on its answer (a retry
/// that arrives meanwhile waits for the same decision).
struct DelayedBet {
    var submission: BetSubmission
    var dueAtNanoseconds: UInt64
    var replies: [@Sendable (BetAnswer) -> Void]
}

/// Everything one pass of the sequencer does before its commit: the changes, the money
/// writes, and the answers to give once the commit is done.
struct CommitGroup {
    typealias CommandReply = @Sendable (Result<Sequencer.CommandOutcome, AdminRejection>) -> Void
    typealias AccountReply = @Sendable (Result<AccountOutcome, AdminRejection>) -> Void
    typealias BetReply = @Sendable (BetAnswer) -> Void

    let nowMicros: Int64
    var changes: [Change] = []
    var writes = BetWrites()
    var commandReplies: [(CommandReply, Result<[Change], AdminRejection>)] = []
    var accountReplies: [(AccountReply, Result<AccountOutcome, AdminRejection>)] = []
    var betReplies: [(BetReply, BetAnswer)] = []
    var settlementReplies: [
        (@Sendable (Result<SettlementOutcome, AdminRejection>) -> Void,
            Result<SettlementOutcome, AdminRejection>)
    ] = []
    /// Answers decided in this group, by idempotency record key, with their fingerprints.
    var decided: [[UInt8]: (fingerprint: UInt64, answer: BetAnswer)] = [:]
    var betsAccepted = 0
    var betsRejected = 0
    /// When the oldest bet taken in by this pass came in (`.max`: none).
    var oldestBetReceivedAt = UInt64.max

    init(nowMicros: Int64) {
        self.nowMicros = nowMicros
    }

    /// The commit failed: every answer that depended on it becomes a refusal.
    mutating func fail(_ rejection: AdminRejection) {
        for index in commandReplies.indices {
            if case .success = commandReplies[index].1 {
                commandReplies[index].1 = .failure(rejection)
            }
        }
        for index in accountReplies.indices {
            if case .success = accountReplies[index].1 {
                accountReplies[index].1 = .failure(rejection)
            }
        }
        for index in settlementReplies.indices {
            if case .success = settlementReplies[index].1 {
                settlementReplies[index].1 = .failure(rejection)
            }
        }
        let unavailable = BetAnswer.unavailable(
            "the origin could not store the bet, so nothing was placed: \(rejection.message)")
        for index in betReplies.indices where !betReplies[index].1.replayed {
            betReplies[index].1 = unavailable
        }
        betsAccepted = 0
        betsRejected = 0
    }

    func answer(position: FeedPosition) {
        for (reply, result) in commandReplies {
            reply(result.map { Sequencer.CommandOutcome(changes: $0, position: position) })
        }
        for (reply, result) in accountReplies {
            reply(result)
        }
        for (reply, result) in settlementReplies {
            reply(result)
        }
        for (reply, answer) in betReplies {
            reply(answer)
        }
    }
}

extension BetAnswer {
    static func unavailable(_ detail: String) -> BetAnswer {
        var writer = JSONWriter(capacity: 200)
        writer.beginObject()
        writer.key("type")
        writer.string("about:blank")
        writer.key("title")
        writer.string("Unavailable")
        writer.key("status")
        writer.int(503)
        writer.key("detail")
        writer.string(detail)
        writer.endObject()
        return BetAnswer(status: 503, body: writer.bytes)
    }
}

extension SequencerState {
    // MARK: Accounts

    func apply(_ command: AccountCommand, _ group: inout CommitGroup)
        -> Result<AccountOutcome, AdminRejection>
    {
        do throws(AdminRejection) {
            switch command {
            case .create(let id, let patch):
                let account = try bets.createAccount(
                    id: id, limits: try patch.applied(to: AccountLimits()),
                    nowMicros: group.nowMicros, writes: &group.writes)
                return .success(AccountOutcome(account: account))
            case .setLimits(let id, let patch):
                guard let current = bets.accounts[id] else {
                    throw .notFound("account \(id) does not exist")
                }
                let account = try bets.setLimits(
                    id: id, try patch.applied(to: current.limits), writes: &group.writes)
                return .success(AccountOutcome(account: account))
            case .transfer(let id, let kind, let amount, let reference):
                let entry = try bets.transfer(
                    id: id, kind: kind, amountMinor: amount, reference: reference,
                    nowMicros: group.nowMicros, writes: &group.writes)
                guard let account = bets.accounts[id] else { throw .notFound(id) }
                return .success(AccountOutcome(account: account, entry: entry))
            }
        } catch {
            metrics.commandsRefused.increment()
            return .failure(error)
        }
    }

    // MARK: Bets

    /// Takes a bet in: a retry gets the first answer under its key, a bet over the account's
    /// rate is refused, an in-play bet waits out its market's delay, and the rest are decided
    /// now.
    func receive(
        _ submission: BetSubmission, reply: @escaping CommitGroup.BetReply,
        _ group: inout CommitGroup
    ) {
        group.oldestBetReceivedAt = min(
            group.oldestBetReceivedAt, submission.receivedAtNanoseconds)
        let key = IdempotencyRecord.key(
            accountID: submission.accountID, idempotencyKey: submission.idempotencyKey)
        let fingerprint = submission.request.fingerprint

        if let first = group.decided[key] {
            group.betReplies.append((reply, replay(first, fingerprint)))
            return
        }
        if let index = delayedBets.firstIndex(where: {
            $0.submission.accountID == submission.accountID
                && $0.submission.idempotencyKey == submission.idempotencyKey
        }) {
            if delayedBets[index].submission.request.fingerprint == fingerprint {
                delayedBets[index].replies.append(reply)
            } else {
                group.betReplies.append((reply, .rejected(Self.keyReused)))
            }
            return
        }
        // Only a key the index knows costs a read: a new key is known new without one.
        let candidates = idempotency.candidates(key)
        if !candidates.isEmpty {
            do {
                let stored = try store.environment.read { txn in
                    try store.money.idempotencyRecord(key, createdAtCandidates: candidates, txn)
                }
                if let stored {
                    group.betReplies.append((reply, replay(
                        (stored.fingerprint, stored.answer), fingerprint)))
                    return
                }
            } catch {
                logger.error("bets.idempotency_read_failed", ["error": .string("\(error)")])
                group.betReplies.append((reply, .unavailable(
                    "the origin could not read its idempotency records; nothing was placed")))
                return
            }
        }

        guard bets.admit(accountID: submission.accountID, nowMicros: group.nowMicros) else {
            let rejection = BetRejection(
                .rateLimited, "account \(submission.accountID) is over its bets per second")
            group.betsRejected += 1
            group.betReplies.append((reply, .rejected(rejection)))
            return
        }
        if let market = book.markets[submission.request.marketID], market.inPlay,
            market.betDelayMilliseconds > 0, market.status == .open
        {
            let due = DispatchTime.now().uptimeNanoseconds
                + UInt64(market.betDelayMilliseconds) * 1_000_000
            let delayed = DelayedBet(
                submission: submission, dueAtNanoseconds: due, replies: [reply])
            let index = delayedBets.firstIndex { $0.dueAtNanoseconds > due } ?? delayedBets.count
            delayedBets.insert(delayed, at: index)
            metrics.betsDelayed.increment()
            return
        }
        decide(submission, replies: [reply], key: key, &group)
    }

    /// Decides the delayed bets whose delay has passed, against the market as it is now.
    func decideDueBets(_ group: inout CommitGroup) {
        let now = DispatchTime.now().uptimeNanoseconds
        while let first = delayedBets.first, first.dueAtNanoseconds <= now {
            delayedBets.removeFirst()
            let key = IdempotencyRecord.key(
                accountID: first.submission.accountID,
                idempotencyKey: first.submission.idempotencyKey)
            decide(first.submission, replies: first.replies, key: key, &group)
        }
    }

    private func decide(
        _ submission: BetSubmission, replies: [CommitGroup.BetReply], key: [UInt8],
        _ group: inout CommitGroup
    ) {
        let request = submission.request
        let result = bets.place(
            request, accountID: submission.accountID, market: book.markets[request.marketID],
            nowMicros: group.nowMicros, writes: &group.writes)
        let answer: BetAnswer
        switch result {
        case .success(let bet):
            answer = .accepted(bet)
            group.betsAccepted += 1
        case .failure(let rejection):
            answer = .rejected(rejection)
            group.betsRejected += 1
        }
        let recorded: Bool
        if case .failure(let rejection) = result {
            recorded = rejection.reason.isRecorded
        } else {
            recorded = true
        }
        if recorded {
            let fingerprint = request.fingerprint
            var acceptedBet: UInt64?
            if case .success(let bet) = result { acceptedBet = bet.number }
            group.writes.idempotency.append(IdempotencyRecord(
                key: key, fingerprint: fingerprint, createdAtMicros: group.nowMicros,
                answer: answer, acceptedBetNumber: acceptedBet))
            group.decided[key] = (fingerprint, answer)
        }
        group.writes.audit.append(auditLine(submission, result, group.nowMicros))
        for reply in replies {
            group.betReplies.append((reply, answer))
        }
    }

    private func replay(_ first: (fingerprint: UInt64, answer: BetAnswer), _ fingerprint: UInt64)
        -> BetAnswer
    {
        guard first.fingerprint == fingerprint else { return .rejected(Self.keyReused) }
        metrics.betsReplayed.increment()
        var answer = first.answer
        answer.replayed = true
        return answer
    }

    private static let keyReused = BetRejection(
        .idempotencyKeyReused,
        "this Idempotency-Key was used for another bet; use a new key for a new bet")

    /// One JSON line for the audit trail: when, who asked what, and what was decided.
    private func auditLine(
        _ submission: BetSubmission, _ result: Result<Bet, BetRejection>, _ nowMicros: Int64
    ) -> [UInt8] {
        JSONPointerWriter.bytes(capacity: 128 + submission.auditFields.count) { json in
            json.piece(#"{"at":"#)
            json.integer(nowMicros)
            json.byte(UInt8(ascii: ","))
            json.raw(submission.auditFields)
            switch result {
            case .success(let bet):
                json.piece(#""outcome":"accepted","bet":""#)
                bet.writeID(to: &json)
                json.piece(#"","price":""#)
                bet.price.writeDecimal(to: &json)
            case .failure(let rejection):
                json.piece(#""outcome":"rejected","reason":""#)
                json.plain(rejection.reason.rawValue)
            }
            json.piece(#""}"#)
        }
    }
}
