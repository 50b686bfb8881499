import Dispatch
import JSON
import Synchronization
import Transport

/// A blocking client of the admin API: one HTTP/2 connection to the origin on its own event
/// loop, each call waiting for its whole answer. oddsctl is synchronous, so the calling
/// thread simply waits; the transport's handlers run on the loop's thread.
///
/// Use from one thread at a time.
final class AdminClient {
    let options: ControlOptions
    private let client: HTTP2Client

    /// The largest answer collected: a list of every market of a big book fits well within it.
    static let maxAnswerBytes = 256 << 20
    /// Extra time past the request's own timeout before the caller stops waiting regardless,
    /// in case the transport never reports an end.
    static let waitGraceMilliseconds = 2_000

    /// A client for `options.origin`; nothing is dialled until the first call.
    ///
    /// - Throws: `ControlFailure.transport` when the event loop cannot start or the TLS
    ///   settings (the CA file) cannot be used.
    init(options: ControlOptions) throws(ControlFailure) {
        self.options = options
        let timeout = Duration64.milliseconds(options.timeoutMilliseconds)
        let configuration = HTTP2ClientConfiguration(
            address: options.origin.address,
            tls: options.origin.usesTLS ? TLSClientConfiguration(caFilePath: options.caFile) : nil,
            connectTimeout: timeout, maxResponseBodyBytes: Self.maxAnswerBytes)
        do {
            client = try HTTP2Client(
                configuration: configuration, loop: EventLoop(name: "oddsctl"))
        } catch {
            throw .transport(options.origin, reason: "\(error)")
        }
    }

    /// Sends `request` with the bearer token and waits for the answer.
    ///
    /// - Returns: the answer, when its status is 2xx.
    /// - Throws: `ControlFailure.refused` with the problem's title and detail for any other
    ///   status; `ControlFailure.transport` when the transport fails or times out.
    func send(_ request: AdminRequest) throws(ControlFailure) -> AdminAnswer {
        var headers = HTTPHeaders()
        headers.add("authorization", "Bearer \(options.token)")
        headers.add("accept", "application/json")
        if request.body != nil {
            headers.add("content-type", "application/json")
        }
        let waiter = ResponseWaiter(limit: Self.maxAnswerBytes)
        client.execute(
            HTTPClientRequest(
                method: request.method, path: request.path, headers: headers,
                body: request.body ?? [],
                timeout: .milliseconds(options.timeoutMilliseconds)),
            handlers: waiter.handlers)

        let deadline = options.timeoutMilliseconds + Self.waitGraceMilliseconds
        guard let collected = waiter.wait(milliseconds: deadline) else {
            throw .transport(options.origin, reason: "\(TransportError.timeout)")
        }
        if case .failure(let error) = collected.end {
            throw .transport(options.origin, reason: "\(error)")
        }
        guard (200..<300).contains(collected.status) else {
            throw Self.refusal(status: collected.status, body: collected.body)
        }
        return AdminAnswer(
            status: collected.status, headers: collected.headers, body: collected.body)
    }

    /// Closes the connection and stops the event loop, waiting for its thread to end, so
    /// that nothing runs on it while the process exits. Not on the loop's thread.
    func close() {
        client.close()
        client.loop.shutdown()
    }

    /// The refusal for an error answer: the title and detail of its problem document, or,
    /// from something in front of the origin that does not speak problem+json, the status's
    /// reason phrase and the first line of its text.
    static func refusal(status: Int, body: [UInt8]) -> ControlFailure {
        let problem = (try? JSONParser.parse(body))?.objectValue
        let title = problem?["title"]?.stringValue ?? reasonPhrase(status)
        let detail = problem?["detail"]?.stringValue
            ?? String(decoding: body.prefix(200), as: UTF8.self)
                .split(separator: "\n").first.map(String.init) ?? ""
        return .refused(status: status, title: title, detail: detail)
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 413: return "Content Too Large"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "HTTP error"
        }
    }
}

/// Collects one response from the transport's handlers (on the loop's thread) and hands it
/// to the thread waiting in `wait` (the caller's).
private final class ResponseWaiter: Sendable {
    struct Collected: Sendable {
        var status = 0
        var headers = HTTPHeaders()
        var body: [UInt8] = []
        /// Nil until the response has ended.
        var end: Result<Void, TransportError>?
    }

    private let limit: Int
    private let collected = Mutex(Collected())
    private let ended = DispatchSemaphore(value: 0)

    init(limit: Int) {
        self.limit = limit
    }

    var handlers: HTTPClientStreamHandlers {
        HTTPClientStreamHandlers(
            onHead: { [self] status, headers in
                collected.withLock {
                    $0.status = status
                    $0.headers = headers
                }
            },
            onData: { [self] bytes in
                collected.withLock {
                    // Past the limit the rest is dropped and the end reported as an error.
                    guard $0.end == nil else { return }
                    guard $0.body.count + bytes.count <= limit else {
                        $0.end = .failure(.bodyTooLarge)
                        return
                    }
                    $0.body += bytes
                }
            },
            onEnd: { [self] result in
                collected.withLock { state in
                    if state.end == nil {
                        state.end = result.map { _ in () }
                    }
                }
                ended.signal()
            })
    }

    /// Waits for the end of the response, at most `milliseconds`.
    ///
    /// - Returns: the response, or nil when it did not end in time.
    func wait(milliseconds: Int) -> Collected? {
        guard ended.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else {
            return nil
        }
        return collected.withLock { $0 }
    }
}
