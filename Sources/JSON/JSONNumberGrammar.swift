/// The RFC 8259 number grammar, shared by the parser, `JSONValue.number(validating:)` and the
/// typed reader:
///
///     number = [ "-" ] int [ frac ] [ exp ]
///     int    = "0" / ( digit1-9 *digit )
///     frac   = "." 1*digit
///     exp    = ( "e" / "E" ) [ "-" / "+" ] 1*digit
enum JSONNumberGrammar {
    /// Returns the offset just past the number that starts at `start`.
    ///
    /// Throws `invalidNumber` at the first byte that breaks the grammar, or
    /// `unexpectedEndOfInput` when the input ends where a digit is required. What follows the
    /// number is not examined: `12x` scans as `12`.
    static func scan(_ input: UnsafeRawBufferPointer, from start: Int) throws(JSONError) -> Int {
        var offset = start
        if offset < input.count && input[offset] == ASCII.minus {
            offset += 1
        }

        guard offset < input.count else { throw missingDigit(input, at: offset) }
        let first = input[offset]
        if first == ASCII.zero {
            offset += 1
            if offset < input.count && ASCII.isDigit(input[offset]) {
                throw JSONError(.invalidNumber, at: offset, "leading zeros are not allowed")
            }
        } else if ASCII.isDigit(first) {
            offset = skipDigits(input, from: offset + 1)
        } else {
            throw missingDigit(input, at: offset)
        }

        if offset < input.count && input[offset] == ASCII.period {
            offset += 1
            guard offset < input.count, ASCII.isDigit(input[offset]) else {
                throw missingDigit(input, at: offset)
            }
            offset = skipDigits(input, from: offset + 1)
        }

        let exponentMarker = offset < input.count ? input[offset] : 0
        if exponentMarker == ASCII.lowerE || exponentMarker == ASCII.upperE {
            offset += 1
            let sign = offset < input.count ? input[offset] : 0
            if sign == ASCII.plus || sign == ASCII.minus {
                offset += 1
            }
            guard offset < input.count, ASCII.isDigit(input[offset]) else {
                throw missingDigit(input, at: offset)
            }
            offset = skipDigits(input, from: offset + 1)
        }
        return offset
    }

    /// True when the whole of `text` is one number literal.
    static func isValid(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            let input = UnsafeRawBufferPointer(utf8)
            do {
                return try scan(input, from: 0) == input.count
            } catch {
                return false
            }
        }
    }

    /// The value of an integer literal (optional `-`, then digits without a leading zero) that
    /// fits in an `Int64`; nil for anything else, including fractions and exponents.
    static func int64(fromLiteral text: String) -> Int64? {
        var utf8 = text.utf8[...]
        let isNegative = utf8.first == ASCII.minus
        if isNegative {
            utf8 = utf8.dropFirst()
        }
        guard let first = utf8.first, ASCII.isDigit(first) else { return nil }
        guard first != ASCII.zero || utf8.count == 1 else { return nil }

        // Accumulating as a negative number reaches Int64.min, whose magnitude has no positive.
        var value: Int64 = 0
        for byte in utf8 {
            guard ASCII.isDigit(byte) else { return nil }
            let (shifted, shiftOverflow) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(byte - ASCII.zero)
            let (next, digitOverflow) = shifted.subtractingReportingOverflow(digit)
            guard !shiftOverflow, !digitOverflow else { return nil }
            value = next
        }
        if isNegative {
            return value
        }
        return value == .min ? nil : -value
    }

    private static func skipDigits(_ input: UnsafeRawBufferPointer, from start: Int) -> Int {
        var offset = start
        while offset < input.count && ASCII.isDigit(input[offset]) {
            offset += 1
        }
        return offset
    }

    private static func missingDigit(_ input: UnsafeRawBufferPointer, at offset: Int)
        -> JSONError
    {
        guard offset < input.count else {
            return JSONError(
                .unexpectedEndOfInput, at: offset, "unexpected end of input in number")
        }
        return JSONError(
            .invalidNumber, at: offset, "expected a digit, found \(ASCII.describe(input[offset]))")
    }
}
