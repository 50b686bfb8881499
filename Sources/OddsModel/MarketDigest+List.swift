import JSON

extension MarketDigest {
    /// `{"epoch","sequence","markets":[["id",version,"hash"],...]}`: each market's version
    /// and the hash of its encoding at `position`, what an edge's integrity check compares
    /// its own markets with. The origin serves it, and so does an edge to the edges below.
    public static func listJSON(
        position: FeedPosition, count: Int,
        _ markets: ((String, UInt64, UInt64) -> Void) -> Void
    ) -> [UInt8] {
        var writer = JSONWriter(capacity: 64 + count * 48)
        writer.beginObject()
        writer.key("epoch")
        writer.string(FeedPosition.hex(position.epoch))
        writer.key("sequence")
        writer.uint(position.sequence)
        writer.key("markets")
        writer.beginArray()
        markets { id, version, hash in
            writer.beginArray()
            writer.string(id)
            writer.uint(version)
            writer.string(FeedPosition.hex(hash))
            writer.endArray()
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }
}
