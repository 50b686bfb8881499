import Glibc

/// Handles one request on the connection's loop thread; answers through the responder, now
/// or later from any thread.
public typealias HTTPHandler = @Sendable (HTTPRequest, Responder) -> Void

/// Handles a request whose body is still arriving: it reads the body from the stream and
/// answers through the responder, possibly while the body still flows (full duplex).
public typealias HTTPStreamingHandler =
    @Sendable (HTTPRequest, RequestBodyStream, Responder) -> Void

/// Maps a method and a path pattern to a handler.
///
/// Patterns are literal segments, `:name` segments that match any one segment and are handed
/// to the handler as path parameters, and a final `*` that matches the rest. Routes are tried
/// in the order they were added. A path that matches a pattern under another method gets 405
/// with `Allow`; one that matches nothing gets 404; both as problem documents.
public struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case parameter(String)
        case rest
    }

    /// How a route takes its request: whole, or with the body as a stream.
    public enum Target: Sendable {
        case whole(HTTPHandler)
        case streaming(HTTPStreamingHandler)
    }

    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let target: Target
        /// Segments before a final `*`, and whether there is one: a path with another number
        /// of segments is passed over without walking it.
        let fixedSegments: Int
        let hasRest: Bool

        init(method: HTTPMethod, segments: [Segment], target: Target) {
            self.method = method
            self.segments = segments
            self.target = target
            hasRest = segments.last == .rest
            fixedSegments = segments.count - (hasRest ? 1 : 0)
        }

        func couldMatch(segmentCount: Int) -> Bool {
            hasRest ? segmentCount >= fixedSegments : segmentCount == fixedSegments
        }
    }

    /// What `match` found.
    public enum Match: Sendable {
        case handler(Target, parameters: PathParameters)
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound

        /// Whether the route wants the body as it arrives.
        public var isStreaming: Bool {
            if case .handler(.streaming, _) = self { return true }
            return false
        }
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route whose handler gets the whole request, body included. A GET route also
    /// answers HEAD.
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler
    ) {
        routes.append(Route(method: method, segments: Self.parse(pattern), target: .whole(handler)))
    }

    /// Adds a route whose handler starts as soon as the request head is in and reads the body
    /// as it arrives (over HTTP/2; over HTTP/1.1 the body comes whole, in one chunk). The
    /// request body limit does not apply: the handler consumes what it is given.
    public mutating func addStreaming(
        _ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPStreamingHandler
    ) {
        routes.append(
            Route(method: method, segments: Self.parse(pattern), target: .streaming(handler)))
    }

    /// Finds the handler for `method` and `path`.
    public func match(method: HTTPMethod, path: Substring) -> Match {
        if let found = path.utf8.withContiguousStorageIfAvailable({ bytes in
            match(method: method, bytes: bytes, path: path)
        }) {
            return found
        }
        var copy = String(path)
        copy.makeContiguousUTF8()
        return match(method: method, path: copy[...])
    }

    private func match(
        method: HTTPMethod, bytes: UnsafeBufferPointer<UInt8>, path: Substring
    ) -> Match {
        var allowed: [HTTPMethod] = []
        let segmentCount = Self.countSegments(bytes)
        for route in routes where route.couldMatch(segmentCount: segmentCount) {
            guard let parameters = Self.bind(route.segments, to: bytes, in: path) else {
                continue
            }
            if route.method == method || (method == .head && route.method == .get) {
                return .handler(route.target, parameters: parameters)
            }
            if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    /// Routes a whole `request` and runs its handler, or answers 404 or 405 itself.
    public func handle(_ request: HTTPRequest, _ responder: Responder) {
        run(match(method: request.method, path: request.path), request, body: nil, responder)
    }

    /// Runs what `match` found for `request`. A streaming handler reads `body`, or the
    /// request's own body when `body` is nil; a whole handler gets `request` as it is.
    public func run(
        _ match: consuming Match, _ request: consuming HTTPRequest, body: RequestBodyStream?,
        _ responder: Responder
    ) {
        switch consume match {
        case .handler(let target, let parameters):
            var request = request
            request.pathParameters = parameters
            switch target {
            case .whole(let handler):
                handler(request, responder)
            case .streaming(let handler):
                handler(request, body ?? RequestBodyStream(complete: request.body), responder)
            }
        case .methodNotAllowed(let allowed):
            var response = HTTPResponse.problem(
                status: 405, title: "Method not allowed",
                detail: "\(request.method) is not allowed on \(request.path)")
            response.headers.add("allow", allowed.map(\.description).joined(separator: ", "))
            responder.respond(response)
        case .notFound:
            responder.respond(
                .problem(status: 404, title: "Not found", detail: "no resource at \(request.path)"))
        }
    }

    /// The number of non-empty segments of a path.
    private static func countSegments(_ path: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        var inSegment = false
        for byte in path {
            if byte == UInt8(ascii: "/") {
                inSegment = false
            } else if !inSegment {
                inSegment = true
                count += 1
            }
        }
        return count
    }

    private static func parse(_ pattern: String) -> [Segment] {
        pattern.split(separator: "/").map { part in
            if part == "*" { return .rest }
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            return .literal(Array(part.utf8))
        }
    }

    /// Matches a path's bytes against a route's segments without splitting the path into
    /// an array: this runs for every request. Returns the parameters, or nil.
    private static func bind(
        _ segments: [Segment], to bytes: UnsafeBufferPointer<UInt8>, in path: Substring
    ) -> PathParameters? {
        let slash = UInt8(ascii: "/")
        let count = bytes.count
        var offset = 0
        var parameters = PathParameters()
        for segment in segments {
            while offset < count && bytes[offset] == slash { offset += 1 }
            let start = offset
            if case .rest = segment {
                parameters["*"] = substring(path, start..<count)
                return parameters
            }
            guard start < count else { return nil }
            while offset < count && bytes[offset] != slash { offset += 1 }
            switch segment {
            case .literal(let text):
                guard offset - start == text.count,
                    text.withUnsafeBufferPointer({ literal in
                        memcmp(literal.baseAddress!, bytes.baseAddress! + start, text.count) == 0
                    })
                else { return nil }
            case .parameter(let name):
                parameters[name] = substring(path, start..<offset)
            case .rest:
                break
            }
        }
        while offset < count && bytes[offset] == slash { offset += 1 }
        return offset == count ? parameters : nil
    }

    /// The part of `path` at byte offsets `range`.
    private static func substring(_ path: Substring, _ range: Range<Int>) -> Substring {
        let utf8 = path.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return path[lower..<upper]
    }
}
