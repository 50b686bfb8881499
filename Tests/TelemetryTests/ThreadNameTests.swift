import Foundation
import Locks
import XCTest

final class ThreadNameTests: XCTestCase {
    func testAThreadIsNamedAndALongNameCutAtACharacter() throws {
        let seen = Lock<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            ThreadName.setCurrent("sequencer")
            let first = ThreadName.current
            // 14 bytes, then a two-byte character that would make 16: it is left out.
            ThreadName.setCurrent("store-flusherxé")
            let second = ThreadName.current
            let comm = try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)
            seen.withLock { $0 = [first, second, comm ?? ""] }
            done.signal()
        }
        thread.start()
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(seen.withLock { $0 }, ["sequencer", "store-flusherx", "store-flusherx\n"])
    }
}
