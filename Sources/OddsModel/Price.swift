import JSON
/// Decimal odds as an exact number of ten-thousandths: 2.5 is 25,000. Never floating point.
///
/// A price is above 1.00 (evens pays 2.00; a price of 1.00 pays nothing back) and at most
/// `maximum`. Text has at most four decimal places; `2.5`, `2.50` and `2.5000` are the same
/// price.
public struct Price: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Ten-thousandths of a unit stake returned, stake included.
    public let units: Int64

    public static let scale: Int64 = 10_000
    public static let decimalPlaces = 4
    /// 1.0001: the lowest price that returns more than the stake.
    public static let minimum = Price(uncheckedUnits: scale + 1)
    /// 10,000.00: far above any real market, low enough that payouts cannot overflow.
    public static let maximum = Price(uncheckedUnits: 10_000 * scale)

    /// A price from ten-thousandths; nil outside `minimum ... maximum`.
    public init?(units: Int64) {
        guard units >= Self.minimum.units, units <= Self.maximum.units else { return nil }
        self.units = units
    }

    private init(uncheckedUnits: Int64) {
        units = uncheckedUnits
    }

    /// Parses decimal odds text such as `2.5` or `11.00`. Throws when the text is not a plain
    /// decimal, has more than four decimal places, or is not above 1.00.
    public init(parsing text: some StringProtocol) throws(PriceError) {
        // Over the UTF-8 bytes in place: a generic walk of the view, unspecialised across
        // modules, cost more than the rest of reading a price from a batch.
        let parsed = text.utf8.withContiguousStorageIfAvailable(Self.units(parsing:))
            ?? Array(text.utf8).withUnsafeBufferPointer(Self.units(parsing:))
        if let reason = parsed.failure {
            throw PriceError(reason, text: String(text))
        }
        guard let price = Price(units: parsed.units) else {
            throw PriceError(.outOfRange, text: String(text))
        }
        self = price
    }

    /// The units of decimal odds text, or why it is not a price.
    private static func units(parsing bytes: UnsafeBufferPointer<UInt8>)
        -> (units: Int64, failure: PriceError.Reason?)
    {
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        var integerDigits = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte - UInt8(ascii: "0"))
                if seenPoint {
                    fractionDigits += 1
                    guard fractionDigits <= decimalPlaces else { return (0, .tooManyDecimals) }
                    fraction = fraction * 10 + digit
                } else {
                    integerDigits += 1
                    guard integerDigits <= 9 else { return (0, .outOfRange) }
                    integer = integer * 10 + digit
                }
            case UInt8(ascii: ".") where !seenPoint && integerDigits > 0:
                seenPoint = true
            default:
                return (0, .notADecimal)
            }
        }
        guard integerDigits > 0, !seenPoint || fractionDigits > 0 else {
            return (0, .notADecimal)
        }
        for _ in fractionDigits..<decimalPlaces {
            fraction *= 10
        }
        return (integer * scale + fraction, nil)
    }

    public static func < (lhs: Price, rhs: Price) -> Bool {
        lhs.units < rhs.units
    }

    /// Decimal odds with at least two decimal places: `2.50`, `2.375`, `101.00`.
    public var decimalText: String {
        // Whole part at most 20 digits, a point, at most `decimalPlaces` more.
        String(decoding: JSONPointerWriter.bytes(capacity: 32) { writeDecimal(to: &$0) },
               as: UTF8.self)
    }

    /// Fractional odds, reduced: 2.50 is `3/2`, 2.00 is `1/1`, 1.25 is `1/4`.
    public var fractionalText: String {
        let numerator = units - Self.scale
        let divisor = Self.commonDivisorWithScale(numerator)
        return "\(numerator / divisor)/\(Self.scale / divisor)"
    }

    /// American (moneyline) odds, rounded half away from zero: 2.50 is `+150`, 1.50 is
    /// `-200`, 2.00 is `+100`.
    public var americanText: String {
        let odds = americanOdds
        return odds > 0 ? "+\(odds)" : "\(odds)"
    }

    /// American (moneyline) odds as a number: +150 for 2.50, -200 for 1.50.
    var americanOdds: Int64 {
        let profit = units - Self.scale
        if profit >= Self.scale {
            return Self.roundedDivision(profit * 100, Self.scale)
        }
        return -Self.roundedDivision(100 * Self.scale, profit)
    }

    public var description: String {
        decimalText
    }

    /// The greatest common divisor of `value` (1 or more) and `scale` (10^4 = 2^4 * 5^4),
    /// from the twos and fives `value` shares with it: no division loop on every price.
    static func commonDivisorWithScale(_ value: Int64) -> Int64 {
        let twos = min(value.trailingZeroBitCount, decimalPlaces)
        var rest = value >> twos
        var divisor: Int64 = 1 << twos
        for _ in 0..<decimalPlaces where rest % 5 == 0 {
            rest /= 5
            divisor *= 5
        }
        return divisor
    }

    /// Positive operands only.
    private static func roundedDivision(_ numerator: Int64, _ denominator: Int64) -> Int64 {
        (numerator * 2 + denominator) / (denominator * 2)
    }
}

/// Why text is not a price.
public struct PriceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case notADecimal
        case tooManyDecimals
        case outOfRange
    }

    public let reason: Reason
    public let text: String

    init(_ reason: Reason, text: String) {
        self.reason = reason
        self.text = text
    }

    public var description: String {
        let shown = text.count > 32 ? String(text.prefix(32)) + "..." : text
        switch reason {
        case .notADecimal:
            return "price \"\(shown)\" is not a decimal number"
        case .tooManyDecimals:
            return "price \"\(shown)\" has more than \(Price.decimalPlaces) decimal places"
        case .outOfRange:
            return "price \"\(shown)\" must be above 1.00 and at most "
                + Price.maximum.decimalText
        }
    }
}
