/// Handles one request on the connection's loop thread; answers through the responder, now
/// or later from any thread.
public typealias HTTPHandler = @Sendable (HTTPRequest, Responder) -> Void

/// Maps a method and a path pattern to a handler.
///
/// Patterns are literal segments, `:name` segments that match any one segment and are handed
/// to the handler as path parameters, and a final `*` that matches the rest. Routes are tried
/// in the order they were added. A path that matches a pattern under another method gets 405
/// with `Allow`; one that matches nothing gets 404; both as problem documents.
public struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(Substring)
        case parameter(String)
        case rest
    }

    private struct Route: Sendable {
        let method: HTTPMethod
        let segments: [Segment]
        let handler: HTTPHandler
    }

    /// What `match` found.
    public enum Match: Sendable {
        case handler(HTTPHandler, parameters: [String: Substring])
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. A GET route also answers HEAD.
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, _ handler: @escaping HTTPHandler
    ) {
        let segments: [Segment] = pattern.split(separator: "/").map { part in
            if part == "*" { return .rest }
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            return .literal(part)
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    /// Finds the handler for `method` and `path`.
    public func match(method: HTTPMethod, path: Substring) -> Match {
        var allowed: [HTTPMethod] = []
        let parts = path.split(separator: "/")
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            if route.method == method || (method == .head && route.method == .get) {
                return .handler(route.handler, parameters: parameters)
            }
            if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    /// Routes `request` and runs its handler, or answers 404 or 405 itself.
    public func handle(_ request: HTTPRequest, _ responder: Responder) {
        switch match(method: request.method, path: request.path) {
        case .handler(let handler, let parameters):
            var request = request
            request.pathParameters = parameters
            handler(request, responder)
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

    private static func bind(
        _ segments: [Segment], to parts: [Substring]
    ) -> [String: Substring]? {
        var parameters: [String: Substring] = [:]
        var index = 0
        for segment in segments {
            switch segment {
            case .rest:
                parameters["*"] = parts[index...].joined(separator: "/")[...]
                return parameters
            case .literal(let text):
                guard index < parts.count, parts[index] == text else { return nil }
            case .parameter(let name):
                guard index < parts.count else { return nil }
                parameters[name] = parts[index]
            }
            index += 1
        }
        return index == parts.count ? parameters : nil
    }
}
