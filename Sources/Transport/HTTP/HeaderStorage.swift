import Glibc

/// The bytes of one `HTTPHeaders`, in a single allocation: the fields one after another, each
/// a 9-byte prefix (the name's and the value's length as UInt32, then 1 for a field never to
/// be indexed) followed by the name and the value.
///
/// One reference per header list, so copying headers (into a request, out of a prepared
/// response) counts one reference, and adding a field is a copy into memory already there.
/// Copy-on-write is `HTTPHeaders`'s job: it mutates only a storage it holds uniquely.
final class HeaderStorage: ManagedBuffer<HeaderStorage.Counts, UInt8> {
    struct Counts {
        var usedBytes: Int
        var fields: Int
        var capacity: Int
    }

    static let prefixBytes = 9

    /// Empty storage with room for `capacity` bytes.
    static func make(capacity: Int) -> HeaderStorage {
        let made = create(minimumCapacity: capacity) { _ in
            Counts(usedBytes: 0, fields: 0, capacity: capacity)
        }
        return unsafeDowncast(made, to: HeaderStorage.self)
    }

    /// A copy of these fields with room for `capacity` bytes (at least the ones used).
    func copy(capacity: Int) -> HeaderStorage {
        withUnsafeMutablePointers { counts, bytes in
            let used = counts.pointee.usedBytes
            let copy = HeaderStorage.make(capacity: max(capacity, used))
            copy.withUnsafeMutablePointers { copyCounts, copyBytes in
                copyBytes.update(from: bytes, count: used)
                copyCounts.pointee.usedBytes = used
                copyCounts.pointee.fields = counts.pointee.fields
            }
            return copy
        }
    }

    /// Whether `bytes` more fit without growing.
    @inline(__always)
    func hasRoom(for bytes: Int) -> Bool {
        withUnsafeMutablePointerToHeader { $0.pointee.usedBytes + bytes <= $0.pointee.capacity }
    }

    /// Appends a field; there must be room (`Counts.capacity`). With `lowercasing`, the
    /// name's ASCII letters are stored in lowercase.
    @inline(__always)
    func append(
        name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, neverIndexed: Bool,
        lowercasing: Bool
    ) {
        withUnsafeMutablePointers { counts, bytes in
            let start = bytes + counts.pointee.usedBytes
            let raw = UnsafeMutableRawPointer(start)
            raw.storeBytes(of: UInt32(truncatingIfNeeded: name.count), as: UInt32.self)
            raw.storeBytes(
                of: UInt32(truncatingIfNeeded: value.count), toByteOffset: 4, as: UInt32.self)
            start[8] = neverIndexed ? 1 : 0
            let nameStart = start + Self.prefixBytes
            if let base = name.baseAddress {
                memcpy(nameStart, base, name.count)
            }
            if lowercasing {
                for index in 0..<name.count where nameStart[index] &- 65 < 26 {
                    nameStart[index] |= 0x20
                }
            }
            if let base = value.baseAddress {
                memcpy(nameStart + name.count, base, value.count)
            }
            counts.pointee.usedBytes += Self.prefixBytes + name.count + value.count
            counts.pointee.fields += 1
        }
    }

    /// Calls `body` with each field's name and value bytes and whether it is never indexed.
    @inline(__always)
    func forEach(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, Bool) -> Void
    ) {
        withUnsafeMutablePointers { counts, bytes in
            let end = counts.pointee.usedBytes
            var offset = 0
            while offset < end {
                let raw = UnsafeRawPointer(bytes + offset)
                let nameLength = Int(raw.loadUnaligned(as: UInt32.self))
                let valueLength = Int(raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                let nameStart = UnsafePointer(bytes + offset + Self.prefixBytes)
                body(UnsafeBufferPointer(start: nameStart, count: nameLength),
                     UnsafeBufferPointer(start: nameStart + nameLength, count: valueLength),
                     bytes[offset + 8] == 1)
                offset += Self.prefixBytes + nameLength + valueLength
            }
        }
    }

    /// Forgets every field, keeping the memory.
    func removeAll() {
        withUnsafeMutablePointerToHeader { counts in
            counts.pointee.usedBytes = 0
            counts.pointee.fields = 0
        }
    }
}
