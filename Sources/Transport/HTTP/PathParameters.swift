/// The `:name` segments (and a final `*`) a route matched, as byte ranges of the request
/// target, with the route's names for them.
///
/// A plain value: matching a request, and handing the match on with the request, neither
/// allocates nor counts a reference. The ranges are held inline (a route has at most
/// `maximumCount` parameters) and the names are the route's `ParameterNames`, which live for
/// the life of the process.
public struct PathParameters: Sendable {
    /// The most parameters a route pattern may have.
    static let maximumCount = 6

    struct Span: Sendable {
        var start: Int32
        var end: Int32
    }

    /// Nil until the router binds a route.
    private let names: Unmanaged<ParameterNames>?
    private var spans: (Span, Span, Span, Span, Span, Span)
    private(set) var count = 0

    public init() {
        names = nil
        let empty = Span(start: 0, end: 0)
        spans = (empty, empty, empty, empty, empty, empty)
    }

    init(names: ParameterNames) {
        self.names = Unmanaged.passUnretained(names)
        let empty = Span(start: 0, end: 0)
        spans = (empty, empty, empty, empty, empty, empty)
    }

    mutating func append(start: Int, end: Int) {
        precondition(count < Self.maximumCount, "more parameters than the route declared")
        withUnsafeMutableBytes(of: &spans) { raw in
            raw.storeBytes(
                of: Span(start: Int32(start), end: Int32(end)),
                toByteOffset: count * MemoryLayout<Span>.stride, as: Span.self)
        }
        count += 1
    }

    /// The byte range bound to `name`, or nil.
    func range(of name: String) -> Range<Int>? {
        guard let names else { return nil }
        let list = names._withUnsafeGuaranteedRef { $0.names }
        for index in 0..<count where list[index] == name {
            let span = withUnsafeBytes(of: spans) { raw in
                raw.load(fromByteOffset: index * MemoryLayout<Span>.stride, as: Span.self)
            }
            return Int(span.start)..<Int(span.end)
        }
        return nil
    }
}

/// The parameter names of one route pattern, in order (`*` for a final rest).
///
/// Made once per route and never freed (`ParameterNames.make`), so that `PathParameters` can
/// point at them without a reference count and stay valid even in a request that outlives
/// its router. A process has a few dozen routes; tests make a few hundred.
final class ParameterNames: Sendable {
    let names: [String]

    private init(_ names: [String]) {
        self.names = names
    }

    /// A list for `names` that is kept for the life of the process.
    static func make(_ names: [String]) -> ParameterNames {
        precondition(
            names.count <= PathParameters.maximumCount,
            "a route pattern has at most \(PathParameters.maximumCount) parameters")
        let list = ParameterNames(names)
        _ = Unmanaged.passRetained(list)  // never released: see above
        return list
    }
}
