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

    static func accepted(_ bet: Bet) -> BetAnswer {
        var writer = JSONWriter(capacity: 320)
        writer.beginObject()
        writer.key("status")
        writer.string("accepted")
        writer.key("bet")
        bet.writeJSON(to: &writer)
        writer.endObject()
        return BetAnswer(status: acceptedStatus, body: writer.bytes)
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
struct IdempotencyRecord: Sendable, Equatable {
    /// The account id, a zero byte, then the client's key: keys are the client's to choose,
    /// so they are scoped to the account.
    var key: [UInt8]
    var fingerprint: UInt64
    var createdAtMicros: Int64
    var answer: BetAnswer

    static func key(accountID: String, idempotencyKey: String) -> [UInt8] {
        Array(accountID.utf8) + [0] + Array(idempotencyKey.utf8)
    }

    var encoded: [UInt8] {
        var writer = WireWriter(capacity: 32 + answer.body.count)
        writer.uint64(fingerprint)
        writer.int64(createdAtMicros)
        writer.uint32(UInt32(answer.status))
        writer.uint32(UInt32(answer.body.count))
        writer.append(answer.body)
        return writer.bytes
    }

    init(key: [UInt8], fingerprint: UInt64, createdAtMicros: Int64, answer: BetAnswer) {
        self.key = key
        self.fingerprint = fingerprint
        self.createdAtMicros = createdAtMicros
        self.answer = answer
    }

    init(key: [UInt8], encoded: UnsafeRawBufferPointer) throws(WireError) {
        var reader = WireReader(encoded)
        self.key = key
        fingerprint = try reader.uint64()
        createdAtMicros = try reader.int64()
        let status = Int(try reader.uint32())
        let count = Int(try reader.uint32())
        answer = BetAnswer(status: status, body: try reader.raw(count: count))
        try reader.finish()
    }
}
