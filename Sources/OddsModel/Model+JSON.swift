import JSON

// The JSON clients read. Prices are strings so that no client parses them as floating point.

extension Price {
    /// The most bytes `write(to:)` takes.
    static let maxJSONBytes = 160

    /// `{"decimal":"2.50","fractional":"3/2","american":"+150"}`
    public func writeJSON(to writer: inout JSONWriter) {
        writer.raw(JSONPointerWriter.bytes(capacity: Self.maxJSONBytes) { write(to: &$0) })
    }

    func write(to json: inout JSONPointerWriter) {
        json.piece(#"{"decimal":""#)
        writeDecimal(to: &json)
        json.piece(#"","fractional":""#)
        let numerator = units - Self.scale
        let divisor = Self.commonDivisorWithScale(numerator)
        json.digits(UInt64(numerator / divisor))
        json.byte(UInt8(ascii: "/"))
        json.digits(UInt64(Self.scale / divisor))
        json.piece(#"","american":""#)
        let american = americanOdds
        json.byte(american > 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
        json.digits(american.magnitude)
        json.piece(#""}"#)
    }
}

extension Price {
    /// `decimalText`, written in place.
    public func writeDecimal(to json: inout JSONPointerWriter) {
        json.digits(UInt64(units / Self.scale))
        json.byte(UInt8(ascii: "."))
        // At least two decimal places, more only when they are not zeros: 2.50, 2.375.
        var fraction = units % Self.scale
        var places = Self.decimalPlaces
        while places > 2, fraction % 10 == 0 {
            fraction /= 10
            places -= 1
        }
        json.digits(UInt64(fraction), width: places)
    }
}

extension JSONPointerWriter {
    /// `Timestamp.iso8601(milliseconds:)`, written in place when it has the usual width.
    mutating func timestamp(milliseconds: Int64) {
        if Timestamp.hasFixedWidth(milliseconds: milliseconds) {
            fixed(24) { Timestamp.write(milliseconds: milliseconds, into: $0) }
        } else {
            plain(Timestamp.iso8601(milliseconds: milliseconds))
        }
    }
}

extension Selection {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.raw(JSONPointerWriter.bytes(capacity: maxJSONBytes) { write(to: &$0) })
    }

    var maxJSONBytes: Int {
        96 + JSONPointerWriter.maxEscapedBytes(id) + JSONPointerWriter.maxEscapedBytes(name)
            + Price.maxJSONBytes
    }

    func write(to json: inout JSONPointerWriter) {
        json.piece(#"{"id":""#)
        json.escaped(id)
        json.piece(#"","name":""#)
        json.escaped(name)
        json.piece(#"","status":""#)
        json.plain(status.rawValue)
        json.piece(#"","price":"#)
        price.write(to: &json)
        json.byte(UInt8(ascii: "}"))
    }
}

extension Market {
    /// The market's fields; with `publishedAtMicros`, also `publishedAt`: when the origin
    /// committed this version (what an edge serves).
    public func writeJSON(to writer: inout JSONWriter, publishedAtMicros: Int64? = nil) {
        writer.raw(jsonBytes(publishedAtMicros: publishedAtMicros))
    }

    public var jsonBytes: [UInt8] {
        jsonBytes(publishedAtMicros: nil)
    }

    /// The JSON document, with `publishedAt` when given.
    ///
    /// Written as fixed pieces with the values between them, straight into memory sized
    /// for the worst case: an edge writes one of these for every change it applies.
    public func jsonBytes(publishedAtMicros: Int64?) -> [UInt8] {
        var capacity = 256 + JSONPointerWriter.maxEscapedBytes(id)
            + JSONPointerWriter.maxEscapedBytes(eventID) + JSONPointerWriter.maxEscapedBytes(type)
            + JSONPointerWriter.maxEscapedBytes(name)
        for selection in selections {
            capacity += 1 + selection.maxJSONBytes
        }
        return JSONPointerWriter.bytes(capacity: capacity) { json in
            json.piece(#"{"id":""#)
            json.escaped(id)
            json.piece(#"","event":""#)
            json.escaped(eventID)
            json.piece(#"","type":""#)
            json.escaped(type)
            json.piece(#"","name":""#)
            json.escaped(name)
            json.piece(#"","status":""#)
            json.plain(status.rawValue)
            json.piece(inPlay ? #"","inPlay":true"# : #"","inPlay":false"#)
            json.piece(#","betDelayMs":"#)
            json.digits(UInt64(clamping: betDelayMilliseconds))
            json.piece(#","version":"#)
            json.digits(UInt64(clamping: Int64(clamping: version)))
            if let publishedAtMicros {
                json.piece(#","publishedAt":""#)
                json.timestamp(milliseconds: publishedAtMicros / 1000)
                json.byte(UInt8(ascii: "\""))
            }
            json.piece(#","selections":["#)
            for index in selections.indices {
                if index > 0 {
                    json.byte(UInt8(ascii: ","))
                }
                selections[index].write(to: &json)
            }
            json.piece("]}")
        }
    }
}

extension Event {
    /// The event's fields, with `publishedAt` when given (as for a market); `markets`, when
    /// given, is spliced in as already-encoded JSON.
    public func writeJSON(
        to writer: inout JSONWriter, publishedAtMicros: Int64? = nil, markets: [[UInt8]]? = nil
    ) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("sport")
        writer.string(sport)
        writer.key("competition")
        writer.string(competition)
        writer.key("name")
        writer.string(name)
        writer.key("startTime")
        writer.string(Timestamp.iso8601(milliseconds: startTimeMilliseconds))
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("version")
        writer.int(Int64(clamping: version))
        if let publishedAtMicros {
            writer.key("publishedAt")
            writer.string(Timestamp.iso8601(milliseconds: publishedAtMicros / 1000))
        }
        if let markets {
            writer.key("markets")
            writer.beginArray()
            for market in markets {
                writer.raw(market)
            }
            writer.endArray()
        }
        writer.endObject()
    }

    public var jsonBytes: [UInt8] {
        jsonBytes(publishedAtMicros: nil)
    }

    /// The JSON document, with `publishedAt` when given.
    public func jsonBytes(publishedAtMicros: Int64?) -> [UInt8] {
        var writer = JSONWriter(capacity: 256)
        writeJSON(to: &writer, publishedAtMicros: publishedAtMicros)
        return writer.bytes
    }
}
