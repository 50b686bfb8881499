import Store
import XCTest

final class StoreKeyTests: XCTestCase {
    func testUInt64KeysAreBigEndianAndSortNumerically() {
        XCTAssertEqual(StoreKey.uint64(0x0102_0304_0506_0708), [1, 2, 3, 4, 5, 6, 7, 8])
        let numbers: [UInt64] = [0, 1, 255, 256, 65_535, 1 << 40, .max - 1, .max]
        let keys = numbers.map(StoreKey.uint64)
        XCTAssertEqual(keys, keys.sorted { $0.lexicographicallyPrecedes($1) })
        for number in numbers {
            XCTAssertEqual(StoreKey.uint64(from: StoreKey.uint64(number)), number)
        }
    }

    func testKeysOfTheWrongLengthAreNotNumbers() {
        XCTAssertNil(StoreKey.uint64(from: [1, 2, 3]))
        XCTAssertNil(StoreKey.uint64(from: [UInt8](repeating: 0, count: 9)))
        XCTAssertNil(StoreKey.uint64(from: []))
        let unaligned: [UInt8] = [9, 0, 0, 0, 0, 0, 0, 0, 42]
        unaligned.withUnsafeBytes { raw in
            XCTAssertEqual(StoreKey.uint64(from: UnsafeRawBufferPointer(rebasing: raw[1...])), 42)
        }
    }
}
