@testable import Transport
import Locks

/// Collects what callback responders report, from any thread.
final class ResponseBox: Sendable {
    private let state = Lock<[HTTPResponse]>([])

    func set(_ response: HTTPResponse) {
        state.withLock { $0.append(response) }
    }

    func get() -> HTTPResponse? {
        state.withLock { $0.first }
    }

    var count: Int {
        state.withLock { $0.count }
    }
}
