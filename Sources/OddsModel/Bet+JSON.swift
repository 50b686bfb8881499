import JSON

// The JSON of accounts, ledger entries and bets, as the APIs answer with it. Amounts are
// integers in minor units; prices are strings.

extension Account {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("balance")
        writer.int(balanceMinor)
        writer.key("limits")
        limits.writeJSON(to: &writer)
        writer.key("createdAt")
        writer.string(Timestamp.iso8601(milliseconds: createdAtMicros / 1000))
        writer.key("ledgerEntries")
        writer.uint(entries)
        writer.endObject()
    }
}

extension AccountLimits {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("minStake")
        writer.int(minStakeMinor)
        writer.key("maxStake")
        writer.int(maxStakeMinor)
        writer.key("maxLiabilityPerMarket")
        writer.int(maxLiabilityPerMarketMinor)
        writer.key("betsPerSecond")
        writer.int(Int64(betsPerSecond))
        writer.endObject()
    }
}

extension LedgerEntry {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("number")
        writer.uint(number)
        writer.key("kind")
        writer.string(kind.rawValue)
        writer.key("amount")
        writer.int(amountMinor)
        writer.key("balanceAfter")
        writer.int(balanceAfterMinor)
        writer.key("reference")
        writer.string(reference)
        writer.key("at")
        writer.string(Timestamp.iso8601(milliseconds: atMicros / 1000))
        writer.endObject()
    }
}

extension Bet {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.raw(jsonBytes)
    }

    /// The bet's document, written as fixed pieces and values straight into memory: the
    /// origin writes one for every bet it accepts.
    public var jsonBytes: [UInt8] {
        JSONPointerWriter.bytes(capacity: maxJSONBytes) { write(to: &$0) }
    }

    /// The most bytes `write(to:)` takes.
    public var maxJSONBytes: Int {
        // The pieces and numbers, two timestamps, and the escaped ids.
        320 + JSONPointerWriter.maxEscapedBytes(accountID)
            + JSONPointerWriter.maxEscapedBytes(marketID)
            + JSONPointerWriter.maxEscapedBytes(selectionID)
    }

    /// `id`, written in place.
    public func writeID(to json: inout JSONPointerWriter) {
        json.byte(UInt8(ascii: "b"))
        json.digits(number)
    }

    public func write(to json: inout JSONPointerWriter) {
        json.piece(#"{"id":""#)
        writeID(to: &json)
        json.piece(#"","account":""#)
        json.escaped(accountID)
        json.piece(#"","market":""#)
        json.escaped(marketID)
        json.piece(#"","selection":""#)
        json.escaped(selectionID)
        json.piece(#"","price":""#)
        price.writeDecimal(to: &json)
        json.piece(#"","stake":"#)
        json.integer(stakeMinor)
        json.piece(#","potentialPayout":"#)
        json.integer(potentialPayoutMinor)
        json.piece(#","status":""#)
        json.plain(status.rawValue)
        json.piece(#"","returned":"#)
        json.integer(returnedMinor)
        json.piece(#","placedAt":""#)
        json.timestamp(milliseconds: placedAtMicros / 1000)
        if settledAtMicros > 0 {
            json.piece(#"","settledAt":""#)
            json.timestamp(milliseconds: settledAtMicros / 1000)
        }
        json.piece(#""}"#)
    }
}

extension BetRequest {
    public static let maxIdempotencyKeyBytes = 128

    /// Reads a bet body: `{"market","selection","price","marketVersion","stake","policy"}`.
    /// Throws a message naming the field at fault.
    public init(json body: [UInt8]) throws(BetRequestError) {
        if let plain = BetRequestScanner.scan(body) {
            self = plain
            return
        }
        try self.init(generalJSON: body)
    }

    /// `init(json:)` through the general JSON reader, which takes any body and words what is
    /// wrong with it.
    init(generalJSON body: [UInt8]) throws(BetRequestError) {
        do {
            var reader = try JSONObjectReader(try JSONParser.parse(body), path: "")
            let market = try reader.string("market")
            let selection = try reader.string("selection")
            guard Identifier.isValid(market) else {
                throw BetRequestError("market: not a valid market id")
            }
            guard Identifier.isValid(selection) else {
                throw BetRequestError("selection: not a valid selection id")
            }
            let priceText = try reader.numberText("price")
            let price: Price
            do {
                price = try Price(parsing: priceText)
            } catch {
                throw BetRequestError("price: \(error)")
            }
            let version = try reader.int("marketVersion", range: 0...Int64.max)
            let stake = try reader.int("stake", range: 1...AccountLimits.stakeCeilingMinor)
            let policyText = try reader.string("policy", default: "exact")
            guard let policy = Policy(rawValue: policyText) else {
                throw BetRequestError("policy: \(policyText) is not one of exact, better")
            }
            try reader.finish()
            self.init(
                marketID: market, selectionID: selection, price: price,
                marketVersion: UInt64(version), stakeMinor: stake, policy: policy)
        } catch let error as BetRequestError {
            throw error
        } catch let error as JSONFieldError {
            throw BetRequestError("\(error)")
        } catch {
            throw BetRequestError("body is not valid JSON: \(error)")
        }
    }

    /// Whether `key` can be an idempotency key: 1 to 128 printable ASCII characters.
    public static func isValidIdempotencyKey(_ key: some StringProtocol) -> Bool {
        // The bytes in place, as `Identifier.isValid` does, for the same reason.
        key.utf8.withContiguousStorageIfAvailable(isValidIdempotencyKey(bytes:))
            ?? Array(key.utf8).withUnsafeBufferPointer(isValidIdempotencyKey(bytes:))
    }

    private static func isValidIdempotencyKey(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maxIdempotencyKeyBytes else { return false }
        for byte in bytes where byte <= 0x20 || byte >= 0x7F {
            return false
        }
        return true
    }

    /// The body as JSON, as the edge forwards it.
    public var jsonBytes: [UInt8] {
        var writer = JSONWriter(capacity: 160)
        writer.beginObject()
        writer.key("market")
        writer.string(marketID)
        writer.key("selection")
        writer.string(selectionID)
        writer.key("price")
        writer.string(price.description)
        writer.key("marketVersion")
        writer.uint(marketVersion)
        writer.key("stake")
        writer.int(stakeMinor)
        writer.key("policy")
        writer.string(policy.rawValue)
        writer.endObject()
        return writer.bytes
    }
}

/// Why a bet body could not be read.
public struct BetRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension BetRejectionReason {
    /// The RFC 9457 problem document for a refused bet, with the stable `reason` code, and
    /// for a price change the price now and the market version it was read at.
    public func problemJSON(
        detail: String, currentPrice: Price? = nil, marketVersion: UInt64? = nil
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("type")
        writer.string("urn:oddsnet:bet-rejected:" + rawValue)
        writer.key("title")
        writer.string("Bet rejected")
        writer.key("status")
        writer.int(Int64(httpStatus))
        writer.key("reason")
        writer.string(rawValue)
        writer.key("detail")
        writer.string(detail)
        if let currentPrice {
            writer.key("currentPrice")
            writer.string(currentPrice.description)
        }
        if let marketVersion {
            writer.key("marketVersion")
            writer.uint(marketVersion)
        }
        writer.endObject()
        return writer.bytes
    }
}
