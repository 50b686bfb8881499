import JSON
import OddsModel

/// The answer to a bet, as the edge passes it on: a status and a JSON body. Kept verbatim
/// under the idempotency key, so a retry gets exactly the first answer.
struct BetAnswer: Sendable, Equatable {
    var status: Int
    var body: [UInt8]
    /// Whether this is a stored answer given again to a retry.
    var replayed = false

    static let acceptedStatus = 201

    var isProblem: Bool { status >= 400 }

    /// The answer that accepted `bet`: the bet as it stood then, open, whatever has become
    /// of it since (a stored acceptance is written again from the bet).
    static func accepted(_ bet: Bet) -> BetAnswer {
        var bet = bet
        bet.status = .open
        bet.returnedMinor = 0
        bet.settledAtMicros = 0
        let body = JSONPointerWriter.bytes(capacity: 32 + bet.maxJSONBytes) { json in
            json.piece(#"{"status":"accepted","bet":"#)
            bet.write(to: &json)
            json.byte(UInt8(ascii: "}"))
        }
        return BetAnswer(status: acceptedStatus, body: body)
    }

    /// An RFC 9457 problem document with the stable `reason` code.
    static func rejected(_ rejection: BetRejection) -> BetAnswer {
        BetAnswer(
            status: rejection.reason.httpStatus,
            body: rejection.reason.problemJSON(
                detail: rejection.message, currentPrice: rejection.currentPrice,
                marketVersion: rejection.marketVersion))
    }
}

/// The first answer given under an idempotency key, with a fingerprint of the bet it
/// answered: a retry of the same bet gets the answer back, another bet under the same key
/// is refused.
///
/// An acceptance is stored as the bet's number alone, and its answer is written again from
/// the bet as it stood when accepted: the same bytes as the first time, in a record a tenth
/// the size (a day of records at the full bet rate is held, and each is a random insert
/// into the table, so its size is pages written on every commit). A refusal is stored
/// whole.
struct IdempotencyRecord: Sendable, Equatable {
    /// The account id, a zero byte, then the client's key: keys are the client's to choose,
    /// so they are scoped to the account.
    var key: [UInt8]
    var fingerprint: UInt64
    var createdAtMicros: Int64
    var answer: BetAnswer
    /// The bet `answer` accepted; nil when it refused.
    var acceptedBetNumber: UInt64?

    /// The status field of a record that holds an accepted bet's number instead of an answer
    /// (records written before compaction hold 201 and the answer's body).
    private static let acceptedBetMark: UInt32 = 0

    static func key(accountID: String, idempotencyKey: String) -> [UInt8] {
        Array(accountID.utf8) + [0] + Array(idempotencyKey.utf8)
    }

    var encoded: [UInt8] {
        var writer = WireWriter(capacity: 32 + (acceptedBetNumber == nil ? answer.body.count : 0))
        writer.uint64(fingerprint)
        writer.int64(createdAtMicros)
        if let acceptedBetNumber {
            writer.uint32(Self.acceptedBetMark)
            writer.uint64(acceptedBetNumber)
        } else {
            writer.uint32(UInt32(answer.status))
            writer.uint32(UInt32(answer.body.count))
            writer.append(answer.body)
        }
        return writer.bytes
    }

    init(
        key: [UInt8], fingerprint: UInt64, createdAtMicros: Int64, answer: BetAnswer,
        acceptedBetNumber: UInt64? = nil
    ) {
        self.key = key
        self.fingerprint = fingerprint
        self.createdAtMicros = createdAtMicros
        self.answer = answer
        self.acceptedBetNumber = acceptedBetNumber
    }

    /// Reads a stored record; an accepted bet's answer is written again by `acceptedAnswer`
    /// from the bet's number. Throws a wire error when the record does not decode, or what
    /// `acceptedAnswer` throws.
    init(
        key: [UInt8], encoded: UnsafeRawBufferPointer,
        acceptedAnswer: (UInt64) throws -> BetAnswer
    ) throws {
        var reader = WireReader(encoded)
        self.key = key
        fingerprint = try reader.uint64()
        createdAtMicros = try reader.int64()
        let status = try reader.uint32()
        if status == Self.acceptedBetMark {
            let number = try reader.uint64()
            acceptedBetNumber = number
            answer = try acceptedAnswer(number)
        } else {
            let count = Int(try reader.uint32())
            answer = BetAnswer(status: Int(status), body: try reader.raw(count: count))
        }
        try reader.finish()
    }
}
