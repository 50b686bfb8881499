import Glibc
import Store
import TestSupport
import XCTest

/// A store read from disk (after a restart, with the file out of the page cache) brings in
/// the pages a read touches and no readahead window around them: readahead fills the cache
/// with large folios, and every later commit that dirties one 4 KiB page of such a folio
/// then costs the kernel about twice as much to write and flush
/// (`scripts/bench/page-writes.py`).
final class ColdReadTests: XCTestCase {
    func testAReadFromDiskBringsInOnlyThePagesItTouches() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = 4_000
        do {
            let environment = try StoreEnvironment(directory: directory.path)
            let table = try environment.table("records")
            try environment.write { txn in
                for index in 0..<records {
                    try txn.put(table, StoreKey.uint64(UInt64(index)), bytes(1_000, seed: index))
                }
            }
        }

        let file = directory.file("data.mdb")
        let descriptor = open(file, O_RDONLY)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        let size = Int(lseek(descriptor, 0, SEEK_END))
        XCTAssertGreaterThan(size, 1_000 * 4_096, "about a thousand pages of records")
        fdatasync(descriptor)
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_DONTNEED)
        let before = try residentPages(descriptor, size)
        try XCTSkipIf(before > 8, "the kernel kept \(before) pages of the file cached")

        let environment = try StoreEnvironment(directory: directory.path)
        let table = try environment.table("records")
        for index in [records / 3, records / 2, records - 1] {
            let value = try environment.read { try $0.get(table, StoreKey.uint64(UInt64(index))) }
            XCTAssertEqual(value, bytes(1_000, seed: index))
        }

        // Three lookups in a tree three deep, the meta pages and the table's record: a few
        // dozen pages (28 here), where readahead brought in the whole file (1,345 pages).
        let after = try residentPages(descriptor, size)
        XCTAssertLessThanOrEqual(after - before, 64, "pages read in for three lookups")
    }

    /// How many pages of the file are in the page cache.
    private func residentPages(_ descriptor: Int32, _ size: Int) throws -> Int {
        let map = try XCTUnwrap(mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0))
        XCTAssertNotEqual(map, MAP_FAILED)
        defer { munmap(map, size) }
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        var resident = [UInt8](repeating: 0, count: (size + pageSize - 1) / pageSize)
        XCTAssertEqual(mincore(map, size, &resident), 0)
        return resident.filter { $0 & 1 != 0 }.count
    }
}
