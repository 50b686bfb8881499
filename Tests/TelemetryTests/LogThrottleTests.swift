import Dispatch
import Telemetry
import XCTest

final class LogThrottleTests: XCTestCase {
    private let millisecond: UInt64 = 1_000_000

    func testAtMostOneLineAnIntervalCountingTheOccurrencesItStandsFor() {
        let throttle = LogThrottle(intervalNanoseconds: 1_000 * millisecond)
        let start: UInt64 = 5_000 * millisecond
        XCTAssertEqual(throttle.occurrence(at: start), 1)
        XCTAssertNil(throttle.occurrence(at: start + 100 * millisecond))
        XCTAssertNil(throttle.occurrence(at: start + 999 * millisecond))
        // The line an interval after the first stands for the two held back and itself.
        XCTAssertEqual(throttle.occurrence(at: start + 1_000 * millisecond), 3)
        XCTAssertNil(throttle.occurrence(at: start + 1_500 * millisecond))
        XCTAssertEqual(throttle.occurrence(at: start + 3_000 * millisecond), 2)
    }

    func testOccurrencesFromManyThreadsAreAllCounted() {
        let throttle = LogThrottle(intervalNanoseconds: 1_000)
        XCTAssertEqual(throttle.occurrence(at: 1), 1)
        DispatchQueue.concurrentPerform(iterations: 1_000) { _ in
            XCTAssertNil(throttle.occurrence(at: 2))
        }
        // Nothing held back is lost: the next line stands for all of them and itself.
        XCTAssertEqual(throttle.occurrence(at: 2_000), 1_001)
    }
}
