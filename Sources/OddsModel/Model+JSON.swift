import JSON

// The JSON clients read. Prices are strings so that no client parses them as floating point.

extension Price {
    /// `{"decimal":"2.50","fractional":"3/2","american":"+150"}`
    public func writeJSON(to writer: inout JSONWriter) {
        // Built as bytes in one buffer: every change of every market writes a few of these.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(72)
        bytes.append(contentsOf: Self.decimalPrefix)
        appendDecimal(to: &bytes)
        bytes.append(contentsOf: Self.fractionalPrefix)
        let numerator = units - Self.scale
        let divisor = Self.greatestCommonDivisor(numerator, Self.scale)
        Self.appendDigits(numerator / divisor, to: &bytes)
        bytes.append(UInt8(ascii: "/"))
        Self.appendDigits(Self.scale / divisor, to: &bytes)
        bytes.append(contentsOf: Self.americanPrefix)
        bytes.append(contentsOf: americanText.utf8)
        bytes.append(contentsOf: Self.closing)
        writer.raw(bytes)
    }

    private static let decimalPrefix = Array(#"{"decimal":""#.utf8)
    private static let fractionalPrefix = Array(#"","fractional":""#.utf8)
    private static let americanPrefix = Array(#"","american":""#.utf8)
    private static let closing = Array(#""}"#.utf8)
}

extension Selection {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("name")
        writer.string(name)
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("price")
        price.writeJSON(to: &writer)
        writer.endObject()
    }
}

extension Market {
    /// The market's fields; with `publishedAtMicros`, also `publishedAt`: when the origin
    /// committed this version (what an edge serves).
    public func writeJSON(to writer: inout JSONWriter, publishedAtMicros: Int64? = nil) {
        writer.beginObject()
        writer.key("id")
        writer.string(id)
        writer.key("event")
        writer.string(eventID)
        writer.key("type")
        writer.string(type)
        writer.key("name")
        writer.string(name)
        writer.key("status")
        writer.string(status.rawValue)
        writer.key("inPlay")
        writer.bool(inPlay)
        writer.key("betDelayMs")
        writer.int(Int64(betDelayMilliseconds))
        writer.key("version")
        writer.int(Int64(clamping: version))
        if let publishedAtMicros {
            writer.key("publishedAt")
            writer.string(Timestamp.iso8601(milliseconds: publishedAtMicros / 1000))
        }
        writer.key("selections")
        writer.beginArray()
        for selection in selections {
            selection.writeJSON(to: &writer)
        }
        writer.endArray()
        writer.endObject()
    }

    public var jsonBytes: [UInt8] {
        jsonBytes(publishedAtMicros: nil)
    }

    /// The JSON document, with `publishedAt` when given.
    public func jsonBytes(publishedAtMicros: Int64?) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + selections.count * 128)
        writeJSON(to: &writer, publishedAtMicros: publishedAtMicros)
        return writer.bytes
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
