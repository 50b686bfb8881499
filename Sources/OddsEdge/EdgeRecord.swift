import JSON
import OddsModel
import Store

/// How the edge keeps an event or a market in LMDB: a fixed header (version, publish time,
/// length of the binary encoding), the binary encoding (what digests hash and what the edge
/// serves to lower tiers), then the client JSON, ready to send as it is.
///
/// `[u64 version][i64 published µs][u32 wire length][wire bytes][JSON bytes]`, little-endian.
enum EdgeRecord {
    static let headerBytes = 20

    struct Header {
        var version: UInt64
        var publishedAtMicros: Int64
        var wireLength: Int
    }

    /// Stores a record under `key`, written straight into the space LMDB reserves for it
    /// (no array in between: the edge writes one for every change it applies).
    static func put(
        _ txn: borrowing WriteTransaction, _ table: StoreTable, _ key: [UInt8],
        version: UInt64, publishedAtMicros: Int64, wire: ArraySlice<UInt8>, json: [UInt8]
    ) throws {
        let count = headerBytes + wire.count + json.count
        try txn.put(table, key, reservingBytes: count) { raw in
            write(into: raw, version, publishedAtMicros, wire, json)
        }
    }

    /// Stores a record under `key` unless the one there is newer (a market repaired from the
    /// origin may be ahead of the change being applied), finding it once for both. Returns
    /// whether a record was there.
    static func putUnlessNewer(
        _ txn: borrowing WriteTransaction, _ table: StoreTable, _ key: [UInt8],
        version: UInt64, publishedAtMicros: Int64, wire: ArraySlice<UInt8>, json: [UInt8]
    ) throws -> Bool {
        var existed = false
        try txn.update(table, key) { stored in
            existed = stored != nil
            if let stored, let header = header(stored), header.version > version {
                return nil
            }
            return headerBytes + wire.count + json.count
        } fill: { raw in
            write(into: raw, version, publishedAtMicros, wire, json)
        }
        return existed
    }

    private static func write(
        into raw: UnsafeMutableRawBufferPointer, _ version: UInt64, _ publishedAtMicros: Int64,
        _ wire: ArraySlice<UInt8>, _ json: [UInt8]
    ) {
        raw.storeBytes(of: version.littleEndian, as: UInt64.self)
        raw.storeBytes(of: publishedAtMicros.littleEndian, toByteOffset: 8, as: Int64.self)
        raw.storeBytes(of: UInt32(wire.count).littleEndian, toByteOffset: 16, as: UInt32.self)
        wire.withUnsafeBytes {
            raw.baseAddress!.advanced(by: headerBytes).copyMemory(
                from: $0.baseAddress!, byteCount: $0.count)
        }
        json.withUnsafeBytes {
            raw.baseAddress!.advanced(by: headerBytes + wire.count).copyMemory(
                from: $0.baseAddress!, byteCount: $0.count)
        }
    }

    /// Stores an event or a market as it stands, published at `publishedAtMicros`.
    static func put(
        _ txn: borrowing WriteTransaction, _ table: StoreTable, _ value: some EdgeStored,
        publishedAtMicros: Int64
    ) throws {
        try put(
            txn, table, Array(value.id.utf8), version: value.version,
            publishedAtMicros: publishedAtMicros, wire: value.wireBytes[...],
            json: value.jsonBytes(publishedAtMicros: publishedAtMicros))
    }

    /// The header of a stored record; nil when the record is too short to be one.
    static func header(_ record: UnsafeRawBufferPointer) -> Header? {
        guard record.count >= headerBytes else { return nil }
        let wireLength = Int(UInt32(littleEndian: record.loadUnaligned(
            fromByteOffset: 16, as: UInt32.self)))
        guard wireLength <= record.count - headerBytes else { return nil }
        return Header(
            version: UInt64(littleEndian: record.loadUnaligned(as: UInt64.self)),
            publishedAtMicros: Int64(littleEndian: record.loadUnaligned(
                fromByteOffset: 8, as: Int64.self)),
            wireLength: wireLength)
    }

    static func wire(_ record: UnsafeRawBufferPointer, _ header: Header)
        -> UnsafeRawBufferPointer
    {
        UnsafeRawBufferPointer(rebasing: record[headerBytes..<(headerBytes + header.wireLength)])
    }

    static func json(_ record: UnsafeRawBufferPointer, _ header: Header)
        -> UnsafeRawBufferPointer
    {
        UnsafeRawBufferPointer(rebasing: record[(headerBytes + header.wireLength)...])
    }
}

/// What an edge stores of an event or a market.
protocol EdgeStored: WireEncodable {
    var id: String { get }
    var version: UInt64 { get }
    func jsonBytes(publishedAtMicros: Int64?) -> [UInt8]
}

extension Event: EdgeStored {}
extension Market: EdgeStored {}
