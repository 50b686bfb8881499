// Strings: escapes, surrogate pairs and UTF-8 validation.

extension JSONParser.Scanner {
    /// Reads the string whose opening quote is at `offset` and leaves `offset` just past the
    /// closing quote. A string without escapes is copied once, straight from the input.
    mutating func parseString() throws(JSONError) -> String {
        let start = offset + 1
        offset = start
        while offset < input.count {
            let byte = input[offset]
            if byte == ASCII.quote {
                let text = makeString(start..<offset)
                offset += 1
                return text
            } else if byte == ASCII.backslash {
                return try parseEscapedString(from: start)
            } else if byte < ASCII.firstPrintable {
                throw controlCharacter()
            } else if byte >= ASCII.firstNonASCII {
                offset = try endOfUTF8Sequence(at: offset)
            } else {
                offset += 1
            }
        }
        throw JSONError(.unexpectedEndOfInput, at: offset, "unexpected end of input in string")
    }

    /// A string of the input's bytes in `range`, which hold valid UTF-8.
    func makeString(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        let source = UnsafeRawBufferPointer(rebasing: input[range])
        return String(unsafeUninitializedCapacity: source.count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
            return source.count
        }
    }

    /// Continues a string from `offset`, its first backslash, collecting the unescaped bytes in
    /// `scratch`.
    private mutating func parseEscapedString(from start: Int) throws(JSONError) -> String {
        scratch.removeAll(keepingCapacity: true)
        var runStart = start
        while offset < input.count {
            let byte = input[offset]
            if byte == ASCII.quote {
                appendToScratch(runStart..<offset)
                offset += 1
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == ASCII.backslash {
                appendToScratch(runStart..<offset)
                try appendEscape()
                runStart = offset
            } else if byte < ASCII.firstPrintable {
                throw controlCharacter()
            } else if byte >= ASCII.firstNonASCII {
                offset = try endOfUTF8Sequence(at: offset)
            } else {
                offset += 1
            }
        }
        throw JSONError(.unexpectedEndOfInput, at: offset, "unexpected end of input in string")
    }

    private mutating func appendToScratch(_ range: Range<Int>) {
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[range]))
    }

    /// Decodes the escape whose backslash is at `offset` into `scratch` and moves past it.
    private mutating func appendEscape() throws(JSONError) {
        let escapeStart = offset
        guard offset + 1 < input.count else {
            throw JSONError(
                .unexpectedEndOfInput, at: input.count, "unexpected end of input in string")
        }
        let code = input[offset + 1]
        offset += 2

        switch code {
        case ASCII.quote, ASCII.backslash, ASCII.slash:
            scratch.append(code)
        case ASCII.lowerB:
            scratch.append(0x08)
        case ASCII.lowerF:
            scratch.append(0x0C)
        case ASCII.lowerN:
            scratch.append(ASCII.lineFeed)
        case ASCII.lowerR:
            scratch.append(ASCII.carriageReturn)
        case ASCII.lowerT:
            scratch.append(ASCII.tab)
        case ASCII.lowerU:
            appendUTF8(try readUnicodeEscape(escapeStart: escapeStart))
        default:
            throw JSONError(
                .invalidEscape, at: escapeStart,
                "invalid escape character \(ASCII.describe(code))")
        }
    }

    /// Reads the four hex digits after `\u`, and a second `\uXXXX` when the first is a high
    /// surrogate; returns the Unicode scalar value. Lone surrogates are errors.
    private mutating func readUnicodeEscape(escapeStart: Int) throws(JSONError) -> UInt32 {
        let highSurrogates: ClosedRange<UInt32> = 0xD800...0xDBFF
        let lowSurrogates: ClosedRange<UInt32> = 0xDC00...0xDFFF
        let unit = try readHexQuad()
        if lowSurrogates.contains(unit) {
            throw JSONError(.invalidEscape, at: escapeStart, "unpaired low surrogate")
        }
        guard highSurrogates.contains(unit) else { return unit }

        guard offset + 1 < input.count, input[offset] == ASCII.backslash,
            input[offset + 1] == ASCII.lowerU
        else {
            throw JSONError(.invalidEscape, at: escapeStart, "unpaired high surrogate")
        }
        offset += 2
        let low = try readHexQuad()
        guard lowSurrogates.contains(low) else {
            throw JSONError(.invalidEscape, at: escapeStart, "unpaired high surrogate")
        }
        let supplementaryPlaneStart: UInt32 = 0x10000
        return supplementaryPlaneStart + ((unit - highSurrogates.lowerBound) << 10)
            + (low - lowSurrogates.lowerBound)
    }

    /// Reads four hexadecimal digits at `offset`.
    private mutating func readHexQuad() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard offset < input.count else {
                throw JSONError(
                    .unexpectedEndOfInput, at: input.count, "unexpected end of input in string")
            }
            let byte = input[offset]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case ASCII.lowerA...ASCII.lowerF: digit = byte - ASCII.lowerA + 10
            case ASCII.upperA...ASCII.upperF: digit = byte - ASCII.upperA + 10
            default:
                throw JSONError(
                    .invalidEscape, at: offset,
                    "expected a hexadecimal digit, found \(ASCII.describe(byte))")
            }
            value = value << 4 | UInt32(digit)
            offset += 1
        }
        return value
    }

    /// Appends `scalar`, which is not a surrogate, as UTF-8.
    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(0xC0 | UInt8(scalar >> 6))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(0xE0 | UInt8(scalar >> 12))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        default:
            scratch.append(0xF0 | UInt8(scalar >> 18))
            scratch.append(0x80 | UInt8(scalar >> 12 & 0x3F))
            scratch.append(0x80 | UInt8(scalar >> 6 & 0x3F))
            scratch.append(0x80 | UInt8(scalar & 0x3F))
        }
    }

    /// Returns the offset just past the well-formed UTF-8 sequence (RFC 3629) that starts at
    /// `start` with a byte of 0x80 or more. Overlong forms, surrogates and values above
    /// U+10FFFF are rejected.
    private func endOfUTF8Sequence(at start: Int) throws(JSONError) -> Int {
        let lead = input[start]
        let length: Int
        let secondByteRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (length, secondByteRange) = (2, 0x80...0xBF)
        case 0xE0: (length, secondByteRange) = (3, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (length, secondByteRange) = (3, 0x80...0xBF)
        case 0xED: (length, secondByteRange) = (3, 0x80...0x9F)
        case 0xF0: (length, secondByteRange) = (4, 0x90...0xBF)
        case 0xF1...0xF3: (length, secondByteRange) = (4, 0x80...0xBF)
        case 0xF4: (length, secondByteRange) = (4, 0x80...0x8F)
        default:
            throw JSONError(.invalidUTF8, at: start, "invalid UTF-8 byte 0x\(ASCII.hex(lead))")
        }

        for position in start + 1..<start + length {
            guard position < input.count else {
                throw JSONError(
                    .unexpectedEndOfInput, at: input.count, "unexpected end of input in string")
            }
            let allowed = position == start + 1 ? secondByteRange : 0x80...0xBF
            guard allowed.contains(input[position]) else {
                throw JSONError(.invalidUTF8, at: start, "invalid UTF-8 sequence")
            }
        }
        return start + length
    }

    /// The error for the raw control character at `offset`.
    private func controlCharacter() -> JSONError {
        JSONError(
            .controlCharacterInString, at: offset,
            "control character 0x\(ASCII.hex(input[offset])) in string must be escaped")
    }
}
