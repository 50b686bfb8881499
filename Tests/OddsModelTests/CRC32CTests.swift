@testable import OddsModel
import XCTest

/// The checksum on every feed frame: the processor's instruction, where there is one, must
/// agree with the table and with the published check value at every length and alignment.
final class CRC32CTests: XCTestCase {
    func testTheCheckValue() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testTheInstructionAndTheTableAgree() {
        var generator = SplitMix(seed: 11)
        let bytes = (0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        bytes.withUnsafeBytes { raw in
            for start in 0..<9 {
                for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4000] {
                    let slice = UnsafeRawBufferPointer(rebasing: raw[start..<(start + length)])
                    XCTAssertEqual(
                        CRC32C.checksum(slice), CRC32C.tableChecksum(slice),
                        "start \(start), length \(length)")
                }
            }
        }
    }
}
