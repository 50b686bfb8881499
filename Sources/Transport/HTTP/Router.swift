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
/// to the handler as path parameters, and a final `*` that matches the rest; six parameters at
/// most (a pattern with more stops the program when it is added: routes are written in code). Routes are tried
/// in the order they were added. A path that matches a pattern under another method gets 405
/// with `Allow`; one that matches nothing gets 404; both as problem documents.
public struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal([UInt8])
        case parameter
        case rest
    }

    /// How a route takes its request: whole, or with the body as a stream.
    public enum Target: Sendable {
        case whole(HTTPHandler)
        case streaming(HTTPStreamingHandler)
    }

    /// A class, so that looking a route up copies one reference, not its four fields.
    private final class Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        /// The names of the `:name` segments in order, and `*` for a final rest.
        let parameterNames: ParameterNames
        let target: Target
        /// Segments before a final `*`, and whether there is one: a path with another number
        /// of segments is passed over without walking it.
        let fixedSegments: Int
        let hasRest: Bool

        init(method: HTTPMethod, pattern: String, target: Target) {
            var segments: [Segment] = []
            var names: [String] = []
            for part in pattern.split(separator: "/") {
                if part == "*" {
                    segments.append(.rest)
                    names.append("*")
                } else if part.hasPrefix(":") {
                    segments.append(.parameter)
                    names.append(String(part.dropFirst()))
                } else {
                    segments.append(.literal(Array(part.utf8)))
                }
            }
            self.method = method
            self.segments = segments
            parameterNames = ParameterNames.make(names)
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
        /// The route at this index, with what its parameters bound.
        case route(Int, PathParameters)
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route whose handler gets the whole request, body included. A GET route also
    /// answers HEAD.
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler
    ) {
        routes.append(Route(method: method, pattern: pattern, target: .whole(handler)))
    }

    /// Adds a route whose handler starts as soon as the request head is in and reads the body
    /// as it arrives (over HTTP/2; over HTTP/1.1 the body comes whole, in one chunk). The
    /// request body limit does not apply: the handler consumes what it is given.
    public mutating func addStreaming(
        _ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPStreamingHandler
    ) {
        routes.append(Route(method: method, pattern: pattern, target: .streaming(handler)))
    }

    /// Finds the route for `method` and `path`.
    public func match(method: HTTPMethod, path: Substring) -> Match {
        var copy = String(path)
        return copy.withUTF8 { match(method: method, path: $0) }
    }

    /// Finds the route for `method` and the path's bytes, without making a String: this runs
    /// for every request.
    func match(method: HTTPMethod, path bytes: UnsafeBufferPointer<UInt8>) -> Match {
        var allowed: [HTTPMethod] = []
        let segmentCount = Self.countSegments(bytes)
        for index in routes.indices where routes[index].couldMatch(segmentCount: segmentCount) {
            guard let parameters = Self.bind(routes[index], to: bytes) else { continue }
            let routeMethod = routes[index].method
            if routeMethod == method || (method == .head && routeMethod == .get) {
                return .route(index, parameters)
            }
            if !allowed.contains(routeMethod) {
                allowed.append(routeMethod)
            }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    /// Whether what `match` found wants the body as it arrives.
    func isStreaming(_ match: Match) -> Bool {
        guard case .route(let index, _) = match, case .streaming = routes[index].target else {
            return false
        }
        return true
    }

    /// Routes a whole `request` and runs its handler, or answers 404 or 405 itself.
    public func handle(_ request: HTTPRequest, _ responder: Responder) {
        run(request.withPathBytes { match(method: request.method, path: $0) }, request,
            body: nil, responder)
    }

    /// Runs what `match` found for `request`. A streaming handler reads `body`, or the
    /// request's own body when `body` is nil; a whole handler gets `request` as it is.
    public func run(
        _ match: consuming Match, _ request: consuming HTTPRequest, body: RequestBodyStream?,
        _ responder: Responder
    ) {
        switch consume match {
        case .route(let index, let parameters):
            var request = request
            request.parameters = parameters
            switch routes[index].target {
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
                .problem(
                    status: 404, title: "Not found", detail: "no resource at \(request.path)"))
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

    /// Matches a path's bytes against a route's segments without splitting the path into
    /// an array. Returns the parameters' byte ranges, or nil.
    private static func bind(_ route: Route, to bytes: UnsafeBufferPointer<UInt8>)
        -> PathParameters?
    {
        let slash = UInt8(ascii: "/")
        let count = bytes.count
        var offset = 0
        var parameters = PathParameters(names: route.parameterNames)
        for segment in route.segments {
            while offset < count && bytes[offset] == slash { offset += 1 }
            let start = offset
            if case .rest = segment {
                parameters.append(start: start, end: count)
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
            case .parameter:
                parameters.append(start: start, end: offset)
            case .rest:
                break
            }
        }
        while offset < count && bytes[offset] == slash { offset += 1 }
        return offset == count ? parameters : nil
    }
}
