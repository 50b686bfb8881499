/// UTC timestamps as text, without Foundation: `2026-12-05T15:00:00.000Z`.
public enum Timestamp {
    /// RFC 3339 in UTC with milliseconds.
    public static func iso8601(milliseconds: Int64) -> String {
        let (days, dayMilliseconds) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let seconds = dayMilliseconds / 1000
        guard hasFixedWidth(milliseconds: milliseconds) else {
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
                + "\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):"
                + "\(pad(seconds % 60, 2)).\(pad(dayMilliseconds % 1000, 3))Z"
        }
        return String(unsafeUninitializedCapacity: 24) { text in
            write(milliseconds: milliseconds, into: text)
            return 24
        }
    }

    /// Whether `iso8601(milliseconds:)` is 24 bytes (years 0 to 9999), which `write` needs.
    public static func hasFixedWidth(milliseconds: Int64) -> Bool {
        (-62_167_219_200_000...253_402_300_799_999).contains(milliseconds)
    }

    /// Writes the 24 bytes of `iso8601(milliseconds:)`, for a time that `hasFixedWidth`.
    /// Every market document an edge stores carries one.
    public static func write(milliseconds: Int64, into text: UnsafeMutableBufferPointer<UInt8>) {
        precondition(hasFixedWidth(milliseconds: milliseconds) && text.count >= 24)
        let (days, dayMilliseconds) = floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let seconds = dayMilliseconds / 1000
        let fraction = dayMilliseconds % 1000
        func digits(_ value: Int64, _ width: Int, at offset: Int, then separator: UInt8) {
            var rest = value
            for index in (offset..<(offset + width)).reversed() {
                text[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
            text[offset + width] = separator
        }
        digits(year, 4, at: 0, then: UInt8(ascii: "-"))
        digits(month, 2, at: 5, then: UInt8(ascii: "-"))
        digits(day, 2, at: 8, then: UInt8(ascii: "T"))
        digits(seconds / 3600, 2, at: 11, then: UInt8(ascii: ":"))
        digits(seconds / 60 % 60, 2, at: 14, then: UInt8(ascii: ":"))
        digits(seconds % 60, 2, at: 17, then: UInt8(ascii: "."))
        digits(fraction, 3, at: 20, then: UInt8(ascii: "Z"))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff]Z` (UTC only) to Unix milliseconds; nil otherwise.
    public static func parseISO8601(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 20 || bytes.count == 24, bytes.last == UInt8(ascii: "Z") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let separators: [(Int, Character)] = [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":")]
        for (index, character) in separators where bytes[index] != character.asciiValue! {
            return nil
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16),
            let second = number(17..<19), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds: Int64 = 0
        if bytes.count == 24 {
            guard bytes[19] == UInt8(ascii: "."), let fraction = number(20..<23) else {
                return nil
            }
            milliseconds = fraction
        }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milliseconds
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count)
            + text
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a / b
        let remainder = a % b
        return remainder < 0 ? (quotient - 1, remainder + b) : (quotient, remainder)
    }

    // Howard Hinnant's civil-from-days and days-from-civil algorithms.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
