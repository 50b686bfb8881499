import OddsModel
import Store

extension EdgeStore {
    /// Each market's version and the hash of its encoding, with the position they stand at,
    /// read in one transaction: what the integrity check compares, on this edge and, for the
    /// edges it feeds, on theirs.
    func marketDigests() throws -> (position: FeedPosition, markets: [String: (UInt64, UInt64)])
    {
        try environment.read { txn in
            let position = try cursor(in: txn).position
            var markets: [String: (UInt64, UInt64)] = [:]
            try txn.forEach(self.markets) { key, record in
                let id = String(decoding: key, as: UTF8.self)
                guard let header = EdgeRecord.header(record) else {
                    markets[id] = (0, 0)
                    return true
                }
                markets[id] = (header.version, MarketDigest.hash(EdgeRecord.wire(record, header)))
                return true
            }
            return (position, markets)
        }
    }
}
