/// Reads a bet body of the plain shape in one pass over its bytes, without building a JSON
/// tree: a flat object of the bet's own keys, strings without escapes, whole numbers, and a
/// price as `2.10` or `"2.10"`. Every bet is read twice, at the edge and at the origin, and
/// the general reader cost about 12,000 instructions a bet.
///
/// It answers only when it is sure: for anything else (an unknown or repeated key, an
/// escape, `null`, an exponent, a value out of range, a malformed document) it returns nil,
/// and the general reader decides and words the error. So whatever it returns is what the
/// general reader would have made of the same body.
enum BetRequestScanner {
    static func scan(_ body: [UInt8]) -> BetRequest? {
        body.withUnsafeBufferPointer { bytes in
            var scanner = Cursor(bytes: bytes)
            return scanner.bet()
        }
    }

    private enum Key: CaseIterable {
        case market, selection, price, marketVersion, stake, policy

        var name: StaticString {
            switch self {
            case .market: "market"
            case .selection: "selection"
            case .price: "price"
            case .marketVersion: "marketVersion"
            case .stake: "stake"
            case .policy: "policy"
            }
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func bet() -> BetRequest? {
            var market: String?
            var selection: String?
            var price: Price?
            var version: Int64?
            var stake: Int64?
            var policy: BetRequest.Policy?
            guard take(UInt8(ascii: "{")) else { return nil }
            if !take(UInt8(ascii: "}")) {
                repeat {
                    guard let key = key(), take(UInt8(ascii: ":")) else { return nil }
                    switch key {
                    case .market:
                        guard market == nil, let text = identifier() else { return nil }
                        market = text
                    case .selection:
                        guard selection == nil, let text = identifier() else { return nil }
                        selection = text
                    case .price:
                        guard price == nil, let value = decimal() else { return nil }
                        price = value
                    case .marketVersion:
                        guard version == nil, let value = whole(), value >= 0 else { return nil }
                        version = value
                    case .stake:
                        guard stake == nil, let value = whole(),
                            (1...AccountLimits.stakeCeilingMinor).contains(value)
                        else { return nil }
                        stake = value
                    case .policy:
                        guard policy == nil, let text = plainString(),
                            let value = BetRequest.Policy(rawValue: text)
                        else { return nil }
                        policy = value
                    }
                } while take(UInt8(ascii: ","))
                guard take(UInt8(ascii: "}")) else { return nil }
            }
            skipWhitespace()
            guard index == bytes.count, let market, let selection, let price, let version,
                let stake
            else { return nil }
            return BetRequest(
                marketID: market, selectionID: selection, price: price,
                marketVersion: UInt64(version), stakeMinor: stake, policy: policy ?? .exact)
        }

        /// Skips whitespace, then takes `byte` if it comes next.
        mutating func take(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                    index += 1
                default:
                    return
                }
            }
        }

        mutating func key() -> Key? {
            skipWhitespace()
            guard let text = plainBytes() else { return nil }
            return Key.allCases.first { key in
                key.name.withUTF8Buffer { $0.elementsEqual(text) }
            }
        }

        /// The bytes of a string of printable ASCII without escapes; nil for anything else.
        mutating func plainBytes() -> UnsafeBufferPointer<UInt8>? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index + 1
            var end = start
            while end < bytes.count {
                let byte = bytes[end]
                if byte == UInt8(ascii: "\"") {
                    index = end + 1
                    return UnsafeBufferPointer(rebasing: bytes[start..<end])
                }
                guard byte >= 0x20, byte < 0x7f, byte != UInt8(ascii: "\\") else { return nil }
                end += 1
            }
            return nil
        }

        mutating func plainString() -> String? {
            skipWhitespace()
            return plainBytes().map { String(decoding: $0, as: UTF8.self) }
        }

        mutating func identifier() -> String? {
            skipWhitespace()
            guard let text = plainBytes(), Identifier.isValid(bytes: text) else { return nil }
            return String(decoding: text, as: UTF8.self)
        }

        /// `digits` or `digits.digits`, bare or quoted, without a superfluous leading zero:
        /// valid JSON number text, as the general reader requires of a price.
        mutating func decimal() -> Price? {
            skipWhitespace()
            let text: UnsafeBufferPointer<UInt8>
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                guard let quoted = plainBytes() else { return nil }
                text = quoted
            } else {
                let start = index
                while index < bytes.count, Self.isNumberByte(bytes[index]) {
                    index += 1
                }
                text = UnsafeBufferPointer(rebasing: bytes[start..<index])
            }
            guard Self.isPlainDecimal(text) else { return nil }
            return try? Price(parsing: String(decoding: text, as: UTF8.self))
        }

        /// A whole number without sign, leading zero or fraction that fits in 64 bits.
        mutating func whole() -> Int64? {
            skipWhitespace()
            let start = index
            var value: Int64 = 0
            while index < bytes.count, Self.isDigit(bytes[index]) {
                let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowSum) = times.addingReportingOverflow(
                    Int64(bytes[index] - UInt8(ascii: "0")))
                guard !overflowTimes, !overflowSum else { return nil }
                value = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0"),
                index == bytes.count || !Self.isNumberByte(bytes[index])
            else { return nil }
            return value
        }

        /// Whether `text` is `digits` or `digits.digits` without a superfluous leading zero.
        static func isPlainDecimal(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let first = text.first, isDigit(first) else { return false }
            let point = text.firstIndex(of: UInt8(ascii: ".")) ?? text.count
            guard point == 1 || first != UInt8(ascii: "0"),
                text[..<point].allSatisfy(isDigit)
            else { return false }
            guard point < text.count else { return true }
            let fraction = text[(point + 1)...]
            return !fraction.isEmpty && fraction.allSatisfy(isDigit)
        }

        static func isDigit(_ byte: UInt8) -> Bool {
            byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        }

        /// Bytes that can continue a JSON number: a number that goes on past what this
        /// reader takes (an exponent, a fraction) is left to the general reader.
        static func isNumberByte(_ byte: UInt8) -> Bool {
            isDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+")
        }
    }
}
