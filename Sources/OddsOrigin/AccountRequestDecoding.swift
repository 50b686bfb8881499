import JSON
import OddsModel

/// Limits to set on an account: the keys given change, the rest keep their value.
struct AccountLimitsPatch: Sendable, Equatable {
    var minStakeMinor: Int64?
    var maxStakeMinor: Int64?
    var maxLiabilityPerMarketMinor: Int64?
    var betsPerSecond: Int?

    /// `limits` with the patch applied; throws when the result cannot be used.
    func applied(to limits: AccountLimits) throws(AdminRejection) -> AccountLimits {
        var limits = limits
        limits.minStakeMinor = minStakeMinor ?? limits.minStakeMinor
        limits.maxStakeMinor = maxStakeMinor ?? limits.maxStakeMinor
        limits.maxLiabilityPerMarketMinor = maxLiabilityPerMarketMinor
            ?? limits.maxLiabilityPerMarketMinor
        limits.betsPerSecond = betsPerSecond ?? limits.betsPerSecond
        if let problem = limits.problem {
            throw .invalid("limits.\(problem)")
        }
        return limits
    }
}

/// Turns the admin API's account bodies into commands, naming the field at fault.
enum AccountRequestDecoding {
    /// `{"id":"a1","limits":{...}}`
    static func create(body: [UInt8]) throws(AdminRejection) -> AccountCommand {
        try decode(body) { reader throws -> AccountCommand in
            let id = try reader.string("id")
            guard Identifier.isValid(id) else {
                throw AdminRejection.invalid(
                    "id: 1 to \(Identifier.maxLength) characters from A-Z a-z 0-9 . _ - expected")
            }
            var patch = AccountLimitsPatch()
            if var limits = try reader.optionalObject("limits") {
                patch = try self.limits(&limits)
                try limits.finish()
            }
            return .create(id: id, patch)
        }
    }

    /// `{"minStake":10,"maxStake":...,"maxLiabilityPerMarket":...,"betsPerSecond":...}`
    static func limits(id: String, body: [UInt8]) throws(AdminRejection) -> AccountCommand {
        try decode(body) { reader throws -> AccountCommand in
            .setLimits(id: id, try limits(&reader))
        }
    }

    /// `{"amount":5000,"reference":"card 4242"}`: a positive amount in minor units.
    static func transfer(id: String, _ kind: LedgerEntry.Kind, body: [UInt8])
        throws(AdminRejection) -> AccountCommand
    {
        try decode(body) { reader throws -> AccountCommand in
            let amount = try reader.int("amount", range: 1...BetBook.maxBalanceMinor)
            let reference = try reader.string("reference", default: kind.rawValue)
            guard !reference.isEmpty, reference.utf8.count <= maxReferenceBytes else {
                throw AdminRejection.invalid("reference: 1 to \(maxReferenceBytes) bytes expected")
            }
            return .transfer(
                id: id, kind, amountMinor: kind == .withdrawal ? -amount : amount,
                reference: reference)
        }
    }

    static let maxReferenceBytes = 200

    /// `{"account":"a1","ttlSeconds":86400}`
    static func token(body: [UInt8], maxTTLSeconds: Int64) throws(AdminRejection)
        -> (account: String, ttl: Int64)
    {
        do {
            var reader = try JSONObjectReader(try JSONParser.parse(body), path: "")
            let account = try reader.string("account")
            let ttl = try reader.int("ttlSeconds", default: 86_400, range: 60...maxTTLSeconds)
            try reader.finish()
            return (account, ttl)
        } catch let error as JSONError {
            throw .invalid("body is not valid JSON: \(error)")
        } catch {
            throw .invalid("\(error)")
        }
    }

    private static func limits(_ reader: inout JSONObjectReader) throws -> AccountLimitsPatch {
        let stakes = 1...AccountLimits.stakeCeilingMinor
        var patch = AccountLimitsPatch()
        patch.minStakeMinor = try reader.optionalInt("minStake", range: stakes)
        patch.maxStakeMinor = try reader.optionalInt("maxStake", range: stakes)
        patch.maxLiabilityPerMarketMinor = try reader.optionalInt(
            "maxLiabilityPerMarket", range: 0...BetBook.maxBalanceMinor)
        patch.betsPerSecond = try reader.optionalInt(
            "betsPerSecond", range: 1...Int64(AccountLimits.betsPerSecondCeiling)).map { Int($0) }
        return patch
    }

    private static func decode(
        _ body: [UInt8], _ read: (inout JSONObjectReader) throws -> AccountCommand
    ) throws(AdminRejection) -> AccountCommand {
        do {
            var reader = try JSONObjectReader(try JSONParser.parse(body), path: "")
            let command = try read(&reader)
            try reader.finish()
            return command
        } catch let rejection as AdminRejection {
            throw rejection
        } catch let error as JSONError {
            throw .invalid("body is not valid JSON: \(error)")
        } catch {
            throw .invalid("\(error)")
        }
    }
}
